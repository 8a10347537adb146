"""Our own training-time model of the bundled Falcon variant (ALiBi, multi-query, parallel
attention, one LayerNorm per block, no biases in the linear layers, tied embeddings), for
tools/train/train.py --packed.

Why it exists: HF's FalconForCausalLM trains one sample per row, padded, and builds the ALiBi
bias as a dense (batch, heads, length, length) tensor. This module packs several samples into
each row of a fixed shape and runs attention with torch's flex_attention: the ALiBi bias is a
score_mod, and a mask_mod keeps every sample causal and blind to the other samples of its row,
so training sees exactly what the one-sample-per-row model sees, with no padding and no dense
bias. Its parameter names are HF's, so train.py copies the weights into FalconForCausalLM to
check the logits (check_against_hf), to evaluate and to save.

ALiBi as HF's default (sdpa) path and our engine compute it: softmax((q.k + slope_h *
key_position) / sqrt(head_dim)) (transformers 5.17's eager path adds the bias a second time);
within one sample key_position - query_position = kv_idx - q_idx, and softmax ignores the
per-query constant, so the score_mod adds slope_h / sqrt(head_dim) * (kv_idx - q_idx).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def alibi_slopes(n_heads):
    """HF's slopes (build_alibi_tensor): powers of 2^(-8/p2) for the largest power of two p2 <=
    n_heads, then every other power of 2^(-4/p2) for the remaining heads."""
    p2 = 2 ** int(math.floor(math.log2(n_heads)))
    base = 2.0 ** (-(2.0 ** -(math.log2(p2) - 3)))
    s = [base ** k for k in range(1, p2 + 1)]
    if p2 != n_heads:
        extra = 2.0 ** (-(2.0 ** -(math.log2(2 * p2) - 3)))
        s += [extra ** k for k in range(1, 1 + 2 * min(p2, n_heads - p2), 2)]
    return torch.tensor(s, dtype=torch.float32)


class _Attention(nn.Module):
    def __init__(self, d, heads, hd):
        super().__init__()
        self.heads, self.hd = heads, hd
        self.query_key_value = nn.Linear(d, (heads + 2) * hd, bias=False)
        self.dense = nn.Linear(heads * hd, d, bias=False)


class _Mlp(nn.Module):
    def __init__(self, d, ffn):
        super().__init__()
        self.dense_h_to_4h = nn.Linear(d, ffn, bias=False)
        self.dense_4h_to_h = nn.Linear(ffn, d, bias=False)


class _Block(nn.Module):
    def __init__(self, d, heads, hd, ffn, eps):
        super().__init__()
        self.input_layernorm = nn.LayerNorm(d, eps=eps)
        self.self_attention = _Attention(d, heads, hd)
        self.mlp = _Mlp(d, ffn)


class _Transformer(nn.Module):
    def __init__(self, vocab, d, layers, heads, ffn, eps):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, d)
        self.h = nn.ModuleList([_Block(d, heads, d // heads, ffn, eps) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d, eps=eps)


class FastFalcon(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, eps=1e-5, init_std=0.02):
        super().__init__()
        self.heads, self.hd = heads, hidden // heads
        self.transformer = _Transformer(vocab, hidden, layers, heads, 4 * hidden, eps)
        for m in self.modules():  # HF's _init_weights for this config
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, mean=0.0, std=init_std)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        self.register_buffer("alibi_scaled", alibi_slopes(heads) / math.sqrt(self.hd), persistent=False)
        self._flex = self._alibi = None

    # -- attention back ends ------------------------------------------------------------------

    def _attend_dense(self, q, k, v, doc):
        """Reference path: explicit bias and mask (used to check the flex path)."""
        L = q.shape[2]
        ar = torch.arange(L, device=q.device)
        rel = (ar[None, :] - ar[:, None]).float()  # kv - q
        bias = self.alibi_scaled[:, None, None] * rel[None]  # (H, L, L)
        allowed = ar[:, None] >= ar[None, :]
        if doc is not None:
            allowed = allowed[None] & (doc[:, :, None] == doc[:, None, :])  # (B, L, L)
            allowed = allowed[:, None]
        s = (q.float() @ k.float().transpose(-1, -2)) / math.sqrt(self.hd) + bias
        s = s.masked_fill(~allowed, float("-inf"))
        return (torch.softmax(s, -1) @ v.float()).to(q.dtype)

    def _attend_flex(self, q, k, v, doc):
        from torch.nn.attention.flex_attention import create_block_mask, flex_attention

        if self._flex is None:  # once, after the model has moved to its device
            self._flex = torch.compile(flex_attention, dynamic=False)
            slopes = self.alibi_scaled

            def alibi(score, b, h, q_idx, kv_idx):  # one function for every call: no recompiles
                return score + slopes[h] * (kv_idx - q_idx)

            self._alibi = alibi
        B, _, L, _ = q.shape
        if doc is None:
            def mask(b, h, q_idx, kv_idx):
                return q_idx >= kv_idx
            bm = create_block_mask(mask, None, None, L, L, device=q.device)
        else:
            def mask(b, h, q_idx, kv_idx):
                return (q_idx >= kv_idx) & (doc[b, q_idx] == doc[b, kv_idx])
            bm = create_block_mask(mask, B, None, L, L, device=q.device)
        # q, k, v are already in the compute dtype; autocast stays out of the compiled kernel.
        with torch.autocast(device_type=q.device.type, enabled=False):
            return self._flex(q, k, v, score_mod=self._alibi, block_mask=bm, enable_gqa=True)

    # -- forward ------------------------------------------------------------------------------

    def forward(self, input_ids, doc=None, attention="flex"):
        """Logits (B, L, V). doc: (B, L) sample number of every position (None: one sample per
        row, right-padded). attention: "flex" or "dense"."""
        t = self.transformer
        x = t.word_embeddings(input_ids)
        B, L, _ = x.shape
        H, hd = self.heads, self.hd
        attend = self._attend_flex if attention == "flex" else self._attend_dense
        for blk in t.h:
            ln = blk.input_layernorm(x)
            qkv = blk.self_attention.query_key_value(ln).view(B, L, H + 2, hd)
            q = qkv[:, :, :H].transpose(1, 2)
            k = qkv[:, :, H:H + 1].transpose(1, 2)
            v = qkv[:, :, H + 1:].transpose(1, 2)
            if attention == "dense":
                k, v = k.expand(B, H, L, hd), v.expand(B, H, L, hd)
            a = attend(q.contiguous(), k.contiguous(), v.contiguous(), doc)
            a = blk.self_attention.dense(a.transpose(1, 2).reshape(B, L, H * hd))
            m = blk.mlp.dense_4h_to_h(F.gelu(blk.mlp.dense_h_to_4h(ln)))
            x = x + a + m
        x = t.ln_f(x)
        return F.linear(x, t.word_embeddings.weight)

    # -- HF interop ---------------------------------------------------------------------------

    def hf_state_dict(self):
        sd = {k: v for k, v in self.state_dict().items()}
        sd["lm_head.weight"] = sd["transformer.word_embeddings.weight"]
        return sd

    def load_hf(self, hf_model):
        sd = {k: v for k, v in hf_model.state_dict().items() if k != "lm_head.weight"}
        missing, unexpected = self.load_state_dict(sd, strict=False)
        if missing or unexpected:
            raise ValueError(f"HF checkpoint does not match: missing {missing}, unexpected {unexpected}")


def to_hf(fast, hf_model):
    """Copies fast's weights into an HF FalconForCausalLM of the same config (names are HF's)."""
    sd = fast.hf_state_dict()
    missing, unexpected = hf_model.load_state_dict(sd, strict=False)
    missing = [m for m in missing if m != "lm_head.weight"]
    if missing or unexpected:
        raise ValueError(f"names differ from HF's: missing {missing}, unexpected {unexpected}")
    hf_model.tie_weights()
    return hf_model


def pack_rows(lengths, cap, rng):
    """Packs samples (lengths in positions) into rows of cap positions: longest first, the gap
    filled from the shortest. Returns a list of index lists, shuffled."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    rows, i, j = [], 0, len(order) - 1
    while i <= j:
        row, space = [order[i]], cap - lengths[order[i]]
        i += 1
        while j >= i and lengths[order[j]] <= space:
            row.append(order[j])
            space -= lengths[order[j]]
            j -= 1
        rows.append(row)
    rng.shuffle(rows)
    return rows
