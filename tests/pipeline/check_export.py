"""Checks one export against aebench's own numbers (run by model_export_test.sh):
the model that python/aebench_model.py builds from RUN_DIR/export encodes CODES_DIR's
SPLIT_images.npy into SPLIT_codes.npy, and, on the run's test split, its reconstructions
score the test MSE in RUN_DIR/summary.json.
    python3 check_export.py RUN_DIR SPLIT [CODES_DIR (default RUN_DIR/codes)]
"""
import json
import os
import sys

import numpy
import torch

run_dir, split = sys.argv[1], sys.argv[2]
codes_dir = sys.argv[3] if len(sys.argv) > 3 else os.path.join(run_dir, "codes")
sys.path.insert(0, os.path.join(run_dir, "export"))
from aebench_model import load_exported  # noqa: E402  (the copy export wrote)

# As a user would load it: torch.load's safe mode (the default since PyTorch 2.6) must take it.
state_dict = torch.load(os.path.join(run_dir, "export", "state_dict.pt"), weights_only=True)
assert isinstance(state_dict, dict) and state_dict, "state_dict.pt is not a dict of tensors"
assert all(isinstance(t, torch.Tensor) for t in state_dict.values())
model = load_exported(os.path.join(run_dir, "export"))

images = numpy.load(os.path.join(codes_dir, split + "_images.npy"))
codes = numpy.load(os.path.join(codes_dir, split + "_codes.npy"))
labels = numpy.load(os.path.join(codes_dir, split + "_labels.npy"))
assert images.dtype == numpy.uint8 and images.shape[1:] == model.image_shape, images.shape
assert codes.shape == (len(images),) + model.code_shape, (codes.shape, model.code_shape)
assert labels.dtype == numpy.int64 and labels.shape == (len(images),)
assert set(labels.tolist()) <= set(range(10))

inputs = torch.from_numpy(images).float() / 255
ours = model.encode(inputs).numpy()
scale = max(1.0, float(numpy.abs(codes).max()))
error = float(numpy.abs(ours - codes).max())
assert error <= 1e-4 * scale, "codes differ by %g (largest code %g)" % (error, scale)

if split == "test" and len(sys.argv) == 3:
    with open(os.path.join(run_dir, "summary.json"), encoding="utf-8") as file:
        expected = json.load(file)["test"]["mse"]
    mse = float(((model(inputs).double() - inputs.double()) ** 2).mean())
    assert abs(mse - expected) <= 1e-5 * max(1.0, expected), "test mse %g, summary %g" % (mse, expected)
print("%s %s: %d codes of shape %s agree to %.2g" % (run_dir, split, len(codes), model.code_shape, error))
