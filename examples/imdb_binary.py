"""Deep Learning with Python (1st ed.), 3.5: classifying movie reviews (IMDB).

The book's code with `keras` replaced by `keraslite` in the imports. Other
changes, each marked `# keraslite:` below:
- `RMSprop(lr=...)` is `RMSprop(learning_rate=...)` (Keras 3 dropped `lr`);
- Keras 3 logs `metrics=['accuracy']` as 'accuracy' (Keras 2.0 wrote 'acc');
- the two alternative `compile` listings run before the one the book trains
  with, as in the book's own notebook run (its log shows 'acc');
- `plt.savefig(...)`/`plt.close()` around each `plt.show()`, and the
  run-size overrides of `_book_support` (unset, the book's sizes apply).
"""
from _book_support import book_epochs, book_size

from keraslite.datasets import imdb

(train_data, train_labels), (test_data, test_labels) = imdb.load_data(num_words=10000)

train_data[0]

train_labels[0]

max([max(sequence) for sequence in train_data])

# word_index is a dictionary mapping words to an integer index
word_index = imdb.get_word_index()
# We reverse it, mapping integer indices to words
reverse_word_index = dict([(value, key) for (key, value) in word_index.items()])
# We decode the review; note that our indices were offset by 3
# because 0, 1 and 2 are reserved indices for "padding", "start of sequence", and "unknown".
decoded_review = ' '.join([reverse_word_index.get(i - 3, '?') for i in train_data[0]])

decoded_review

import numpy as np

def vectorize_sequences(sequences, dimension=10000):
    # Create an all-zero matrix of shape (len(sequences), dimension)
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.  # set specific indices of results[i] to 1s
    return results

# Our vectorized training data
x_train = vectorize_sequences(train_data)
# Our vectorized test data
x_test = vectorize_sequences(test_data)

x_train[0]

# Our vectorized labels
y_train = np.asarray(train_labels).astype('float32')
y_test = np.asarray(test_labels).astype('float32')

from keraslite import models
from keraslite import layers

model = models.Sequential()
model.add(layers.Dense(16, activation='relu', input_shape=(10000,)))
model.add(layers.Dense(16, activation='relu'))
model.add(layers.Dense(1, activation='sigmoid'))

from keraslite import optimizers

model.compile(optimizer=optimizers.RMSprop(learning_rate=0.001),  # keraslite: was lr=0.001
              loss='binary_crossentropy',
              metrics=['accuracy'])

from keraslite import losses
from keraslite import metrics

model.compile(optimizer=optimizers.RMSprop(learning_rate=0.001),  # keraslite: was lr=0.001
              loss=losses.binary_crossentropy,
              metrics=[metrics.binary_accuracy])

model.compile(optimizer='rmsprop',
              loss='binary_crossentropy',
              metrics=['accuracy'])

x_val = x_train[:book_size(10000)]
partial_x_train = x_train[book_size(10000):]

y_val = y_train[:book_size(10000)]
partial_y_train = y_train[book_size(10000):]

history = model.fit(partial_x_train,
                    partial_y_train,
                    epochs=book_epochs(20),
                    batch_size=512,
                    validation_data=(x_val, y_val))

history_dict = history.history
history_dict.keys()

import matplotlib.pyplot as plt

acc = history.history['accuracy']  # keraslite: was 'acc'
val_acc = history.history['val_accuracy']  # keraslite: was 'val_acc'
loss = history.history['loss']
val_loss = history.history['val_loss']

epochs = range(1, len(acc) + 1)

# "bo" is for "blue dot"
plt.plot(epochs, loss, 'bo', label='Training loss')
# b is for "solid blue line"
plt.plot(epochs, val_loss, 'b', label='Validation loss')
plt.title('Training and validation loss')
plt.xlabel('Epochs')
plt.ylabel('Loss')
plt.legend()

plt.savefig('imdb_loss.png')  # keraslite
plt.show()
plt.close()  # keraslite

plt.clf()   # clear figure
acc_values = history_dict['accuracy']  # keraslite: was 'acc'
val_acc_values = history_dict['val_accuracy']  # keraslite: was 'val_acc'

plt.plot(epochs, acc, 'bo', label='Training acc')
plt.plot(epochs, val_acc, 'b', label='Validation acc')
plt.title('Training and validation accuracy')
plt.xlabel('Epochs')
plt.ylabel('Loss')
plt.legend()

plt.savefig('imdb_accuracy.png')  # keraslite
plt.show()
plt.close()  # keraslite

model = models.Sequential()
model.add(layers.Dense(16, activation='relu', input_shape=(10000,)))
model.add(layers.Dense(16, activation='relu'))
model.add(layers.Dense(1, activation='sigmoid'))

model.compile(optimizer='rmsprop',
              loss='binary_crossentropy',
              metrics=['accuracy'])

model.fit(x_train, y_train, epochs=book_epochs(4), batch_size=512)
results = model.evaluate(x_test, y_test)

results

model.predict(x_test)
