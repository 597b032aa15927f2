"""Deep Learning with Python (1st ed.), 6.1: using word embeddings (IMDB).

Listings 6.5-6.7 (an `Embedding` layer learned with the classifier), with
`keras` replaced by `keraslite` in the imports. Other changes, each marked
`# keraslite:` below: the run-size override of `_book_support` on the
epoch count (unset, the book's 10 epochs apply). Keras 3 drops the book's
`input_length=maxlen` with a warning; keraslite does the same.
"""
from _book_support import book_epochs

from keraslite.layers import Embedding

# The Embedding layer takes at least two arguments:
# the number of possible tokens, here 1000 (1 + maximum word index),
# and the dimensionality of the embeddings, here 64.
embedding_layer = Embedding(1000, 64)

from keraslite.datasets import imdb
from keraslite import preprocessing

# Number of words to consider as features
max_features = 10000
# Cut texts after this number of words
# (among top max_features most common words)
maxlen = 20

# Load the data as lists of integers.
(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=max_features)

# This turns our lists of integers
# into a 2D integer tensor of shape `(samples, maxlen)`
x_train = preprocessing.sequence.pad_sequences(x_train, maxlen=maxlen)
x_test = preprocessing.sequence.pad_sequences(x_test, maxlen=maxlen)

from keraslite.models import Sequential
from keraslite.layers import Flatten, Dense

model = Sequential()
# We specify the maximum input length to our Embedding layer
# so we can later flatten the embedded inputs
model.add(Embedding(10000, 8, input_length=maxlen))
# After the Embedding layer,
# our activations have shape `(samples, maxlen, 8)`.

# We flatten the 3D tensor of embeddings
# into a 2D tensor of shape `(samples, maxlen * 8)`
model.add(Flatten())

# We add the classifier on top
model.add(Dense(1, activation='sigmoid'))
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['acc'])
model.summary()

history = model.fit(x_train, y_train,
                    epochs=book_epochs(10),  # keraslite: was epochs=10
                    batch_size=32,
                    validation_split=0.2)
