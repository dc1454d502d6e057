"""Load a model that `aebench export` wrote, with PyTorch alone.

An export folder holds state_dict.pt (torch.load gives a dict of tensors), architecture.json
(the encoder's and decoder's layers, each naming the tensors it reads) and this file:

    import torch
    from aebench_model import load_exported
    model = load_exported("runs/dense_100/export")
    images = torch.rand(8, *model.image_shape)      # float32 [n, C, H, W], pixels in [0, 1]
    codes = model.encode(images)                   # [n, *model.code_shape]
    reconstructions = model.decode(codes)          # [n, C, H, W]

The model computes as aebench does at evaluation time (batch norm with its running
statistics, no dropout). It is a torch.nn.Module: .to("cuda") moves its tensors.
"""

import json
import os

import torch
import torch.nn.functional as F

FORMAT = "aebench-architecture"


def _pair(values):
    return tuple(int(v) for v in values)


class ExportedAutoencoder(torch.nn.Module):
    """The encoder and decoder of architecture.json over the tensors of state_dict.pt."""

    def __init__(self, architecture, state_dict):
        super().__init__()
        if architecture.get("format") != FORMAT:
            raise ValueError("expected an architecture.json of aebench export (format %r), "
                             "found format %r" % (FORMAT, architecture.get("format")))
        self.architecture = architecture
        self.image_shape = tuple(architecture["image"])
        self.code_shape = tuple(architecture["code_shape"])
        self._names = {}
        for name, tensor in state_dict.items():
            # Module buffers cannot hold dots in their names.
            self._names[name] = "t%d" % len(self._names)
            self.register_buffer(self._names[name], tensor)
        for part in ("encoder", "decoder"):
            for layer in architecture[part]:
                for key, value in layer.items():
                    if key != "op" and isinstance(value, str) and value not in self._names:
                        raise ValueError("%s layer %r reads %r, which state_dict.pt lacks"
                                         % (part, layer["op"], value))

    def tensor(self, name):
        return getattr(self, self._names[name])

    def _run(self, layers, x):
        for layer in layers:
            x = self._apply(layer, x)
        return x

    def _apply(self, layer, x):
        op = layer["op"]
        t = lambda key: self.tensor(layer[key])
        if op == "flatten":
            return x.flatten(1)
        if op == "unflatten":
            return x.reshape(x.shape[0], *layer["shape"])
        if op == "linear":
            return F.linear(x, t("weight"), t("bias"))
        if op == "batch_norm":
            return F.batch_norm(x, t("running_mean"), t("running_var"), t("weight"), t("bias"),
                                training=False, eps=layer["eps"])
        if op == "conv2d":
            return F.conv2d(x, t("weight"), t("bias"), stride=_pair(layer["stride"]),
                            padding=_pair(layer["padding"]))
        if op == "conv_transpose2d":
            return F.conv_transpose2d(x, t("weight"), t("bias"), stride=_pair(layer["stride"]),
                                      padding=_pair(layer["padding"]),
                                      output_padding=_pair(layer["output_padding"]))
        if op == "max_pool2d":
            return F.max_pool2d(x, _pair(layer["kernel"]), _pair(layer["stride"]))
        if op == "upsample_nearest":
            return F.interpolate(x, scale_factor=tuple(layer["scale"]), mode="nearest")
        if op in ("dropout", "identity"):
            return x
        if op == "relu":
            return F.relu(x)
        if op == "sigmoid":
            return torch.sigmoid(x)
        if op == "tanh":
            return torch.tanh(x)
        if op == "gelu":
            return F.gelu(x.float()).to(x.dtype)
        if op == "leaky_relu":
            return F.leaky_relu(x, layer["negative_slope"])
        if op == "elu":
            return F.elu(x, layer["alpha"])
        if op == "softmax_over_pixels":
            return torch.softmax(x.flatten(1), 1).view_as(x)
        if op == "gaussian_mean":
            return x[:, :layer["latent"]]
        if op == "pca_project":
            return torch.matmul(x.double() - t("mean"), t("components").t())
        if op == "pca_reconstruct":
            return torch.matmul(x.double(), t("components")) + t("mean")
        raise ValueError("architecture.json: unknown layer op %r" % op)

    def encode(self, images):
        with torch.no_grad():
            return self._run(self.architecture["encoder"], images)

    def decode(self, codes):
        with torch.no_grad():
            return self._run(self.architecture["decoder"], codes)

    def forward(self, images):
        return self.decode(self.encode(images))


def load_exported(folder, map_location="cpu"):
    """The model exported into `folder` (state_dict.pt and architecture.json)."""
    with open(os.path.join(folder, "architecture.json"), encoding="utf-8") as file:
        architecture = json.load(file)
    # Plain tensors only, so the safe mode (the default since PyTorch 2.6) reads it.
    state_dict = torch.load(os.path.join(folder, "state_dict.pt"), map_location=map_location,
                            weights_only=True)
    return ExportedAutoencoder(architecture, state_dict).eval()
