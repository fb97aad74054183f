"""MiniLM-L6 (sentence-transformers all-MiniLM-L6-v2) in numpy: mean pooled, normalised."""
import json, re, sys, time
import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

import os
# The package's all_minilm_l6_v2/model.zip, unzipped.
M = os.environ.get('MINILM_DIR', 'model').rstrip('/') + '/'
W = load_file(M + 'model.safetensors')
tok = Tokenizer.from_file(M + 'tokenizer.json')
MAXLEN = int(sys.argv[3]) if len(sys.argv) > 3 else 128
tok.no_padding()
tok.enable_truncation(max_length=MAXLEN)

def ln(x, p):
    m = x.mean(-1, keepdims=True); v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-12) * W[p + '.weight'] + W[p + '.bias']

def lin(x, p):
    return x @ W[p + '.weight'].T + W[p + '.bias']

def gelu(x):
    from math import sqrt
    import numpy as _n
    # exact erf gelu via tanh approximation is close enough? use erf
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))

try:
    from scipy.special import erf
except ImportError:
    def erf(x):
        # Abramowitz-Stegun 7.1.26, |err| < 1.5e-7
        s = np.sign(x); x = np.abs(x)
        t = 1.0 / (1.0 + 0.3275911 * x)
        y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-x * x)
        return s * y

def forward(ids, mask):
    B, T = ids.shape
    x = W['embeddings.word_embeddings.weight'][ids] + W['embeddings.position_embeddings.weight'][:T][None] + W['embeddings.token_type_embeddings.weight'][0]
    x = ln(x, 'embeddings.LayerNorm')
    bias = (1.0 - mask[:, None, None, :]) * -1e9
    for l in range(6):
        p = f'encoder.layer.{l}.'
        q = lin(x, p + 'attention.self.query').reshape(B, T, 12, 32).transpose(0, 2, 1, 3)
        k = lin(x, p + 'attention.self.key').reshape(B, T, 12, 32).transpose(0, 2, 3, 1)
        v = lin(x, p + 'attention.self.value').reshape(B, T, 12, 32).transpose(0, 2, 1, 3)
        a = q @ k / np.sqrt(32.0) + bias
        a = np.exp(a - a.max(-1, keepdims=True)); a /= a.sum(-1, keepdims=True)
        c = (a @ v).transpose(0, 2, 1, 3).reshape(B, T, 384)
        x = ln(lin(c, p + 'attention.output.dense') + x, p + 'attention.output.LayerNorm')
        h = gelu(lin(x, p + 'intermediate.dense'))
        x = ln(lin(h, p + 'output.dense') + x, p + 'output.LayerNorm')
    m = mask[:, :, None]
    e = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)

CAMEL = re.compile(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])')
def prep(t):
    t = CAMEL.sub(' ', t)
    t = t.replace('_', ' ')
    t = re.sub(r'[^\w\s.,:;()\'"-]', ' ', t)
    return re.sub(r'\s+', ' ', t).strip()

def embed(texts, bs=32):
    encs = tok.encode_batch([prep(t) for t in texts])
    order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))
    out = np.zeros((len(texts), 384), np.float32)
    t0 = time.time()
    for s in range(0, len(order), bs):
        idx = order[s:s + bs]
        T = max(len(encs[i].ids) for i in idx)
        ids = np.zeros((len(idx), T), np.int64); mask = np.zeros((len(idx), T), np.float32)
        for r, i in enumerate(idx):
            n = len(encs[i].ids); ids[r, :n] = encs[i].ids; mask[r, :n] = 1
        out[idx] = forward(ids, mask)
        if s // bs % 50 == 0:
            print(f'{s}/{len(texts)} {time.time()-t0:.0f}s', file=sys.stderr, flush=True)
    return out

if __name__ == '__main__':
    src, dst = sys.argv[1], sys.argv[2]
    rows = [json.loads(l) for l in open(src)]
    vec = embed([r['t'] for r in rows])
    import os
    os.makedirs(dst, exist_ok=True)
    with open(dst + '/keys.txt', 'w') as f:
        for r in rows: f.write(r['h'] + '\n')
    vec.astype('<f4').tofile(dst + '/vecs.f32')
