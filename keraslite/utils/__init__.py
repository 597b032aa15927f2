"""Utilities: `to_categorical`, `set_random_seed`, `Progbar`, ..."""
from keraslite.backend import set_random_seed
from keraslite.utils.numerical_utils import normalize, to_categorical
from keraslite.utils.progbar import Progbar
from keraslite.utils import file_utils
from keraslite.utils.file_utils import get_file
from keraslite.utils.model_visualization import model_to_dot, plot_model
from keraslite.trainers.data_adapters.py_dataset_adapter import PyDataset
from keraslite.trainers.data_adapters.py_dataset_adapter import PyDataset as Sequence
from keraslite.utils.image_dataset_utils import image_dataset_from_directory
from keraslite.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from keraslite.utils.sequence_utils import pad_sequences
from keraslite.utils.timeseries_dataset_utils import timeseries_dataset_from_array
from keraslite.utils.text_dataset_utils import text_dataset_from_directory
