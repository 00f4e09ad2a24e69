/*
 * Training kernels for tfjs-backend-wasm, in WebAssembly SIMD (128-bit), working directly on the wasm
 * backend's heap: the module imports the backend's memory, so tensors are read and written in place.
 *
 * Why C and not XNNPACK: XNNPACK packs the "weights" operand of every product anew when it is a new tensor,
 * and in a filter gradient that operand is dy (0.9M–2M values per step at batch 128; ~5–10 ns per value).
 * The filter gradient below reads x and dy where they are, with no im2col and no packing.
 * Why not JS: a scalar JS loop does ~1 multiply-add per ns; these do 4 per instruction.
 *
 * Rules for this file (checked by tests/backend/simdKernels.test.ts): no global or static data (the module
 * shares memory with the backend, and a data segment would overwrite the backend's own data), no libc. The
 * stack (__stack_pointer) is pointed at a block malloc'ed from the backend when the module is instantiated.
 *
 * Build: npm run build:kernels (clang/lld 14+ with the wasm32 target: `apt-get install clang lld`).
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/* Output positions processed together: their rows of x and dy stay in L1/L2 while every block reads them. */
#define POSITION_TILE 64

static inline void zero(float* to, int count) {
  int i = 0;
  for (; i + 4 <= count; i += 4) wasm_v128_store(to + i, wasm_f32x4_splat(0.0f));
  for (; i < count; i++) to[i] = 0.0f;
}

/*
 * The micro-kernel of every product here: a rank-1 update of a 4×8 block held in registers,
 * acc[i] += s_i · (v0, v1), with each s_i already broadcast to four lanes.
 */
static inline void rank1_update_4x8(v128_t acc[4][2], v128_t s0, v128_t s1, v128_t s2, v128_t s3, v128_t v0, v128_t v1) {
  acc[0][0] = wasm_f32x4_add(acc[0][0], wasm_f32x4_mul(s0, v0));
  acc[0][1] = wasm_f32x4_add(acc[0][1], wasm_f32x4_mul(s0, v1));
  acc[1][0] = wasm_f32x4_add(acc[1][0], wasm_f32x4_mul(s1, v0));
  acc[1][1] = wasm_f32x4_add(acc[1][1], wasm_f32x4_mul(s1, v1));
  acc[2][0] = wasm_f32x4_add(acc[2][0], wasm_f32x4_mul(s2, v0));
  acc[2][1] = wasm_f32x4_add(acc[2][1], wasm_f32x4_mul(s2, v1));
  acc[3][0] = wasm_f32x4_add(acc[3][0], wasm_f32x4_mul(s3, v0));
  acc[3][1] = wasm_f32x4_add(acc[3][1], wasm_f32x4_mul(s3, v1));
}

/* As rank1_update_4x8 for a 4×4 block. */
static inline void rank1_update_4x4(v128_t acc[4], v128_t s0, v128_t s1, v128_t s2, v128_t s3, v128_t v0) {
  acc[0] = wasm_f32x4_add(acc[0], wasm_f32x4_mul(s0, v0));
  acc[1] = wasm_f32x4_add(acc[1], wasm_f32x4_mul(s1, v0));
  acc[2] = wasm_f32x4_add(acc[2], wasm_f32x4_mul(s2, v0));
  acc[3] = wasm_f32x4_add(acc[3], wasm_f32x4_mul(s3, v0));
}

/*
 * MaxPoolGrad, NHWC: each window's dy goes to the first maximum of the window in scan order (strictly
 * greater wins, as tfjs-backend-cpu's maxPoolPositions), accumulated where windows overlap; windows whose
 * values are all NaN or -Inf pass nothing. Four channels at a time: per lane the best value and its index.
 */
EXPORT(max_pool_grad)
void max_pool_grad(const float* x, const float* dy, float* dx, int batch, int in_h, int in_w, int channels,
                   int out_h, int out_w, int stride_h, int stride_w, int filter_h, int filter_w, int pad_top,
                   int pad_left) {
  zero(dx, batch * in_h * in_w * channels);
  const v128_t lane_offsets = wasm_i32x4_make(0, 1, 2, 3);
  const float* dy_at = dy;
  for (int b = 0; b < batch; b++) {
    const int image = b * in_h * in_w;
    for (int oh = 0; oh < out_h; oh++) {
      const int row_first = oh * stride_h - pad_top;
      const int row_start = row_first < 0 ? 0 : row_first;
      const int row_end = row_first + filter_h > in_h ? in_h : row_first + filter_h;
      for (int ow = 0; ow < out_w; ow++, dy_at += channels) {
        const int col_first = ow * stride_w - pad_left;
        const int col_start = col_first < 0 ? 0 : col_first;
        const int col_end = col_first + filter_w > in_w ? in_w : col_first + filter_w;
        int c = 0;
        for (; c + 4 <= channels; c += 4) {
          v128_t best = wasm_f32x4_splat(-__builtin_inff());
          v128_t best_at = wasm_i32x4_splat(-1);
          for (int r = row_start; r < row_end; r++) {
            for (int col = col_start; col < col_end; col++) {
              const int at = (image + r * in_w + col) * channels + c;
              const v128_t value = wasm_v128_load(x + at);
              const v128_t greater = wasm_f32x4_gt(value, best);
              best = wasm_v128_bitselect(value, best, greater);
              best_at = wasm_v128_bitselect(wasm_i32x4_add(wasm_i32x4_splat(at), lane_offsets), best_at, greater);
            }
          }
          const int at0 = wasm_i32x4_extract_lane(best_at, 0);
          const int at1 = wasm_i32x4_extract_lane(best_at, 1);
          const int at2 = wasm_i32x4_extract_lane(best_at, 2);
          const int at3 = wasm_i32x4_extract_lane(best_at, 3);
          if (at0 >= 0) dx[at0] += dy_at[c];
          if (at1 >= 0) dx[at1] += dy_at[c + 1];
          if (at2 >= 0) dx[at2] += dy_at[c + 2];
          if (at3 >= 0) dx[at3] += dy_at[c + 3];
        }
        for (; c < channels; c++) {
          float best = -__builtin_inff();
          int best_at = -1;
          for (int r = row_start; r < row_end; r++) {
            for (int col = col_start; col < col_end; col++) {
              const int at = (image + r * in_w + col) * channels + c;
              if (x[at] > best) {
                best = x[at];
                best_at = at;
              }
            }
          }
          if (best_at >= 0) dx[best_at] += dy_at[c];
        }
      }
    }
  }
}

/*
 * One block of the filter gradient: rows k..k+rows-1 (taps, rows ≤ 4) × columns co..co+7 (output channels) of
 * dW += Pᵀ·dY over a tile of positions, where P's row for position p holds x[base[p] + tap_offset[k]]
 * (tap_offset has four entries; those past `rows` repeat the first). Each
 * tap value is loaded already broadcast to four lanes (v128.load32_splat): as fast as one load and four
 * shuffles of adjacent taps, and it needs no adjacency.
 */
static inline void filter_block_4x8(const float* x, const float* dy, float* dw, const int* base, int positions,
                                    int cout, const int* tap_offset, int rows, int co) {
  v128_t acc[4][2];
  for (int j = 0; j < 4; j++) {
    acc[j][0] = j < rows ? wasm_v128_load(dw + j * cout + co) : wasm_f32x4_splat(0.0f);
    acc[j][1] = j < rows ? wasm_v128_load(dw + j * cout + co + 4) : wasm_f32x4_splat(0.0f);
  }
  const int o0 = tap_offset[0], o1 = tap_offset[1], o2 = tap_offset[2], o3 = tap_offset[3];
  for (int p = 0; p < positions; p++) {
    const float* xp = x + base[p];
    const v128_t t0 = wasm_v128_load32_splat(xp + o0);
    const v128_t t1 = wasm_v128_load32_splat(xp + o1);
    const v128_t t2 = wasm_v128_load32_splat(xp + o2);
    const v128_t t3 = wasm_v128_load32_splat(xp + o3);
    const v128_t dy0 = wasm_v128_load(dy + p * cout + co);
    const v128_t dy1 = wasm_v128_load(dy + p * cout + co + 4);
    rank1_update_4x8(acc, t0, t1, t2, t3, dy0, dy1);
  }
  for (int j = 0; j < rows; j++) {
    wasm_v128_store(dw + j * cout + co, acc[j][0]);
    wasm_v128_store(dw + j * cout + co + 4, acc[j][1]);
  }
}

/* As filter_block_4x8 for the last four output channels when cout is not a multiple of 8. */
static inline void filter_block_4x4(const float* x, const float* dy, float* dw, const int* base, int positions,
                                    int cout, const int* tap_offset, int rows, int co) {
  v128_t acc[4];
  for (int j = 0; j < 4; j++) acc[j] = j < rows ? wasm_v128_load(dw + j * cout + co) : wasm_f32x4_splat(0.0f);
  const int o0 = tap_offset[0], o1 = tap_offset[1], o2 = tap_offset[2], o3 = tap_offset[3];
  for (int p = 0; p < positions; p++) {
    const float* xp = x + base[p];
    const v128_t dy0 = wasm_v128_load(dy + p * cout + co);
    rank1_update_4x4(acc, wasm_v128_load32_splat(xp + o0), wasm_v128_load32_splat(xp + o1), wasm_v128_load32_splat(xp + o2),
                     wasm_v128_load32_splat(xp + o3), dy0);
  }
  for (int j = 0; j < rows; j++) wasm_v128_store(dw + j * cout + co, acc[j]);
}

/* Offset in x (NHWC, one image row = in_w·cin values) of tap k = (kh, kw, ci) from a window's first value. */
static inline int tap_offset_of(int k, int in_w, int cin, int filter_w) {
  const int ci = k % cin;
  const int kw = (k / cin) % filter_w;
  const int kh = k / (cin * filter_w);
  return (kh * in_w + kw) * cin + ci;
}

/* Offset in x of the first value of position p's window (p = (n, oh, ow), windows inside the input). */
static inline int window_start(int p, int in_h, int in_w, int cin, int out_h, int out_w, int stride_h, int stride_w) {
  const int ow = p % out_w;
  const int oh = (p / out_w) % out_h;
  const int n = p / (out_w * out_h);
  return ((n * in_h + oh * stride_h) * in_w + ow * stride_w) * cin;
}

/*
 * Conv2DBackpropFilter, NHWC, for convolutions whose every window lies inside the input (no padding, as
 * 'valid'): dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sH + kh, ow·sW + kw, ci] · dy[n,oh,ow,co], computed as
 * dW = Pᵀ·dY with P's rows read from x in place. cout must be a multiple of 4. dW is [KH,KW,Cin,Cout].
 */
EXPORT(conv2d_backprop_filter_valid)
void conv2d_backprop_filter_valid(const float* x, const float* dy, float* dw, int batch, int in_h, int in_w,
                                  int cin, int out_h, int out_w, int cout, int stride_h, int stride_w,
                                  int filter_h, int filter_w) {
  const int taps = filter_h * filter_w * cin;
  zero(dw, taps * cout);
  const int positions = batch * out_h * out_w;
  int base[POSITION_TILE];
  int tap_offset[4];
  for (int first = 0; first < positions; first += POSITION_TILE) {
    const int count = positions - first < POSITION_TILE ? positions - first : POSITION_TILE;
    for (int i = 0; i < count; i++) base[i] = window_start(first + i, in_h, in_w, cin, out_h, out_w, stride_h, stride_w);
    const float* dy_tile = dy + first * cout;
    for (int k = 0; k < taps; k += 4) {
      const int rows = taps - k < 4 ? taps - k : 4;
      /* Rows past `rows` repeat the first tap; their sums are never stored. */
      for (int j = 0; j < 4; j++) tap_offset[j] = tap_offset_of(j < rows ? k + j : k, in_w, cin, filter_w);
      float* dw_rows = dw + k * cout;
      int co = 0;
      for (; co + 8 <= cout; co += 8) filter_block_4x8(x, dy_tile, dw_rows, base, count, cout, tap_offset, rows, co);
      if (co < cout) filter_block_4x4(x, dy_tile, dw_rows, base, count, cout, tap_offset, rows, co);
    }
  }
}

/*
 * Lays out a filter [K = KH·KW·Cin, Cout] for conv2d_backprop_input_valid: blocks of 8 taps, each block
 * [Cout][8] (the 8 taps' weights for one output channel side by side, one pair of loads), the last block
 * padded with zeros. `packed` holds ceil(K / 8)·8·Cout values.
 */
EXPORT(pack_filter_for_input_gradient)
void pack_filter_for_input_gradient(const float* w, float* packed, int taps, int cout) {
  for (int k0 = 0; k0 < taps; k0 += 8) {
    float* block = packed + k0 * cout;
    for (int co = 0; co < cout; co++) {
      for (int j = 0; j < 8; j++) block[co * 8 + j] = k0 + j < taps ? w[(k0 + j) * cout + co] : 0.0f;
    }
  }
}

/*
 * Adds a 4-position × 8-tap block of dP = dY·Wᵀ into dx: position i's window starts at base[i], tap j is
 * tap_offset[j] from it. Adjacent taps (8 consecutive input channels of one (kh, kw)) are added as two
 * vectors; otherwise lane by lane. Only `positions` positions and `taps` taps are real.
 */
static inline void add_block_to_input(float* dx, const int* base, int positions, const int* tap_offset, int taps,
                                      int adjacent, v128_t acc[4][2]) {
  for (int i = 0; i < positions; i++) {
    float* to = dx + base[i];
    if (adjacent) {
      float* at = to + tap_offset[0];
      wasm_v128_store(at, wasm_f32x4_add(wasm_v128_load(at), acc[i][0]));
      wasm_v128_store(at + 4, wasm_f32x4_add(wasm_v128_load(at + 4), acc[i][1]));
      continue;
    }
    float lanes[8];
    wasm_v128_store(lanes, acc[i][0]);
    wasm_v128_store(lanes + 4, acc[i][1]);
    for (int j = 0; j < taps; j++) to[tap_offset[j]] += lanes[j];
  }
}

/*
 * Conv2DBackpropInput, NHWC, for convolutions whose every window lies inside the input (no padding):
 * dx[window(p) + tap k] += Σ_co dy[p, co]·W[k, co], i.e. dP = dY·Wᵀ (the gradient of each window's values)
 * summed back into the windows ("col2im") as it is computed, so dP is never stored. `packed` is the filter
 * laid out by pack_filter_for_input_gradient. Any stride; overlapping windows accumulate.
 */
EXPORT(conv2d_backprop_input_valid)
void conv2d_backprop_input_valid(const float* dy, const float* packed, float* dx, int batch, int in_h, int in_w,
                                 int cin, int out_h, int out_w, int cout, int stride_h, int stride_w,
                                 int filter_h, int filter_w) {
  const int taps = filter_h * filter_w * cin;
  zero(dx, batch * in_h * in_w * cin);
  const int positions = batch * out_h * out_w;
  int base[POSITION_TILE];
  int tap_offset[8];
  for (int first = 0; first < positions; first += POSITION_TILE) {
    const int count = positions - first < POSITION_TILE ? positions - first : POSITION_TILE;
    for (int i = 0; i < count; i++) base[i] = window_start(first + i, in_h, in_w, cin, out_h, out_w, stride_h, stride_w);
    for (int k = 0; k < taps; k += 8) {
      const int block_taps = taps - k < 8 ? taps - k : 8;
      int adjacent = block_taps == 8;
      for (int j = 0; j < block_taps; j++) {
        tap_offset[j] = tap_offset_of(k + j, in_w, cin, filter_w);
        if (tap_offset[j] != tap_offset[0] + j) adjacent = 0;
      }
      const float* w_block = packed + k * cout;
      for (int group = 0; group < count; group += 4) {
        const int rows = count - group < 4 ? count - group : 4;
        /* Rows past `rows` repeat the group's first position; their sums are never added. */
        const float* d0 = dy + (first + group) * cout;
        const float* d1 = rows > 1 ? d0 + cout : d0;
        const float* d2 = rows > 2 ? d0 + 2 * cout : d0;
        const float* d3 = rows > 3 ? d0 + 3 * cout : d0;
        v128_t acc[4][2];
        for (int i = 0; i < 4; i++) acc[i][0] = acc[i][1] = wasm_f32x4_splat(0.0f);
        for (int co = 0; co < cout; co++) {
          const v128_t w0 = wasm_v128_load(w_block + co * 8);
          const v128_t w1 = wasm_v128_load(w_block + co * 8 + 4);
          const v128_t g0 = wasm_v128_load32_splat(d0 + co);
          const v128_t g1 = wasm_v128_load32_splat(d1 + co);
          const v128_t g2 = wasm_v128_load32_splat(d2 + co);
          const v128_t g3 = wasm_v128_load32_splat(d3 + co);
          rank1_update_4x8(acc, g0, g1, g2, g3, w0, w1);
        }
        add_block_to_input(dx, base + group, rows, tap_offset, block_taps, adjacent, acc);
      }
    }
  }
}

/* out[p, co..co+7] (co+4.. when `wide`) for four positions: Σ_k x[base_i + tap_offset[k]]·W[k, co..]. */
static inline void forward_block(const float* x, const float* w, float* out, const int* base, int positions,
                                 const int* tap_offset, int taps, int cout, int co, int wide) {
  const float* x0 = x + base[0];
  const float* x1 = positions > 1 ? x + base[1] : x0;
  const float* x2 = positions > 2 ? x + base[2] : x0;
  const float* x3 = positions > 3 ? x + base[3] : x0;
  v128_t acc[4][2];
  for (int i = 0; i < 4; i++) acc[i][0] = acc[i][1] = wasm_f32x4_splat(0.0f);
  if (wide) {
    for (int k = 0; k < taps; k++) {
      const int o = tap_offset[k];
      const v128_t w0 = wasm_v128_load(w + k * cout + co);
      const v128_t w1 = wasm_v128_load(w + k * cout + co + 4);
      const v128_t v0 = wasm_v128_load32_splat(x0 + o);
      const v128_t v1 = wasm_v128_load32_splat(x1 + o);
      const v128_t v2 = wasm_v128_load32_splat(x2 + o);
      const v128_t v3 = wasm_v128_load32_splat(x3 + o);
      rank1_update_4x8(acc, v0, v1, v2, v3, w0, w1);
    }
  } else {
    v128_t narrow[4] = {acc[0][0], acc[1][0], acc[2][0], acc[3][0]};
    for (int k = 0; k < taps; k++) {
      const int o = tap_offset[k];
      rank1_update_4x4(narrow, wasm_v128_load32_splat(x0 + o), wasm_v128_load32_splat(x1 + o), wasm_v128_load32_splat(x2 + o),
                       wasm_v128_load32_splat(x3 + o), wasm_v128_load(w + k * cout + co));
    }
    for (int i = 0; i < 4; i++) acc[i][0] = narrow[i];
  }
  for (int i = 0; i < positions; i++) {
    wasm_v128_store(out + i * cout + co, acc[i][0]);
    if (wide) wasm_v128_store(out + i * cout + co + 4, acc[i][1]);
  }
}

/*
 * Conv2D, NHWC, for convolutions whose every window lies inside the input (no padding), cout a multiple of
 * 4: out[p, co] = Σ_k x[window(p) + tap k]·W[k, co], four positions × eight output channels at a time, W
 * read as it is ([KH·KW·Cin, Cout] rows). `tap_offsets` is scratch for KH·KW·Cin ints.
 */
EXPORT(conv2d_valid)
void conv2d_valid(const float* x, const float* w, float* out, int* tap_offsets, int batch, int in_h, int in_w,
                  int cin, int out_h, int out_w, int cout, int stride_h, int stride_w, int filter_h,
                  int filter_w) {
  const int taps = filter_h * filter_w * cin;
  for (int k = 0; k < taps; k++) tap_offsets[k] = tap_offset_of(k, in_w, cin, filter_w);
  const int positions = batch * out_h * out_w;
  int base[4];
  for (int first = 0; first < positions; first += 4) {
    const int count = positions - first < 4 ? positions - first : 4;
    for (int i = 0; i < count; i++) base[i] = window_start(first + i, in_h, in_w, cin, out_h, out_w, stride_h, stride_w);
    float* out_rows = out + first * cout;
    int co = 0;
    for (; co + 8 <= cout; co += 8) forward_block(x, w, out_rows, base, count, tap_offsets, taps, cout, co, 1);
    if (co < cout) forward_block(x, w, out_rows, base, count, tap_offsets, taps, cout, co, 0);
  }
}
