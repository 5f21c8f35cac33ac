"""Converts a CTranslate2 Whisper folder (faster-whisper format) to an openai-whisper checkpoint."""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import struct
from pathlib import Path

import numpy as np
import torch

from interview.errors import InvalidInput

CT2_VERSION = 6  # model.bin layout written by ctranslate2 >= 3 (ctranslate2/specs/model_spec.py)
# CTranslate2 dtype codes, in the order model_spec._dtype_to_type_id lists them.
DTYPES = (torch.float32, torch.int8, torch.int16, torch.int32, torch.float16, torch.bfloat16)
# CTranslate2 name fragment -> openai-whisper state-dict fragment (whisper/model.py).
RENAMES = (
    (r"self_attention/linear_0", "attn.query_key_value"),  # fused, split below
    (r"(?<!self_)attention/linear_1", "cross_attn.key_value"),  # fused, split below
    (r"^(encoder|decoder)/layer_(\d+)/", r"\1.blocks.\2."),
    (r"self_attention/layer_norm", "attn_ln"),
    (r"self_attention/linear_1", "attn.out"),
    (r"attention/layer_norm", "cross_attn_ln"),
    (r"attention/linear_0", "cross_attn.query"),
    (r"attention/linear_2", "cross_attn.out"),
    (r"ffn/layer_norm", "mlp_ln"),
    (r"ffn/linear_0", "mlp.0"),
    (r"ffn/linear_1", "mlp.2"),
    (r"^encoder/layer_norm", "encoder.ln_post"),
    (r"^decoder/layer_norm", "decoder.ln"),
    (r"^decoder/embeddings", "decoder.token_embedding"),
    (r"^(encoder|decoder)/position_encodings/encodings", r"\1.positional_embedding"),
    (r"/gamma$", ".weight"),
    (r"/beta$", ".bias"),
    (r"/", "."),
)
# Fused projections: CTranslate2 stacks them on the output axis; Whisper's key has no bias.
FUSED = {
    "attn.query_key_value": ("query", "key", "value"),
    "cross_attn.key_value": ("key", "value"),
}


def read_ct2(path: Path) -> dict[str, torch.Tensor]:
    """All named tensors of a CTranslate2 model.bin (aliases resolved)."""
    data = bytearray(path.read_bytes())
    pos = 0

    def take(fmt: str) -> int:
        nonlocal pos
        (value,) = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return int(value)

    def text() -> str:
        nonlocal pos
        size = take("H")  # includes the trailing NUL
        pos += size
        return data[pos - size : pos - 1].decode("utf-8")

    version = take("I")
    if version != CT2_VERSION:
        raise InvalidInput(f"{path}: CTranslate2 binary version {version}, expected {CT2_VERSION}")
    spec, _revision = text(), take("I")
    if spec != "WhisperSpec":
        raise InvalidInput(f"{path} holds a {spec}, not a Whisper model")
    tensors: dict[str, torch.Tensor] = {}
    for _ in range(take("I")):
        name = text()
        shape = [take("I") for _ in range(take("B"))]
        dtype, size = DTYPES[take("B")], take("I")
        flat = torch.frombuffer(data, dtype=dtype, count=size // dtype.itemsize, offset=pos)
        tensors[name] = flat.reshape(shape).clone()  # own storage: not a view of the file
        pos += size
    for _ in range(take("I")):
        alias, target = text(), text()
        tensors[alias] = tensors[target]
    return tensors


def _rename(name: str) -> str:
    for pattern, replacement in RENAMES:
        name = re.sub(pattern, replacement, name)
    return name


def to_state_dict(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Map CTranslate2 names onto openai-whisper's, splitting the fused projections."""
    state: dict[str, torch.Tensor] = {}
    for name, tensor in tensors.items():
        if name.endswith("weight_scale"):
            raise InvalidInput(f"{name} is quantized; convert a float16 or float32 folder")
        if tensor.dim() == 0 or name == "decoder/projection/weight":
            continue  # settings (num_heads, activation...) and the output tied to the embedding
        key = _rename(name)
        fused = next((f for f in FUSED if f".{f}." in key), None)
        if fused is None:
            state[key] = tensor
            continue
        for part, chunk in zip(FUSED[fused], tensor.chunk(len(FUSED[fused])), strict=True):
            if not (part == "key" and key.endswith(".bias")):
                state[key.replace(fused, fused.split(".")[0] + "." + part)] = chunk.clone()
    return state


def dimensions(tensors: dict[str, torch.Tensor]) -> dict[str, int]:
    """openai-whisper's ModelDimensions, read off the tensor shapes."""

    def layers(side: str) -> int:
        return len({m[1] for n in tensors if (m := re.match(rf"{side}/layer_(\d+)/", n))})

    audio_pos = tensors["encoder/position_encodings/encodings"]
    text_pos = tensors["decoder/position_encodings/encodings"]
    return {
        "n_mels": tensors["encoder/conv1/weight"].shape[1],
        "n_audio_ctx": audio_pos.shape[0],
        "n_audio_state": audio_pos.shape[1],
        "n_audio_head": int(tensors["encoder/num_heads"]),
        "n_audio_layer": layers("encoder"),
        "n_vocab": tensors["decoder/embeddings/weight"].shape[0],
        "n_text_ctx": text_pos.shape[0],
        "n_text_state": text_pos.shape[1],
        "n_text_head": int(tensors["decoder/num_heads"]),
        "n_text_layer": layers("decoder"),
    }


def alignment_heads(config: Path, n_layers: int, n_heads: int) -> bytes:
    """config.json's [layer, head] pairs as the gzipped base85 mask set_alignment_heads takes."""
    mask = np.zeros((n_layers, n_heads), dtype=bool)
    for layer, head in json.loads(config.read_text(encoding="utf-8"))["alignment_heads"]:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def convert(folder: Path, target: Path) -> Path:
    """Write folder/model.bin as a checkpoint whisper.load_model(target) loads (atomically)."""
    tensors = read_ct2(folder / "model.bin")
    checkpoint = {"dims": dimensions(tensors), "model_state_dict": to_state_dict(tensors)}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    torch.save(checkpoint, tmp)
    os.replace(tmp, target)
    return target
