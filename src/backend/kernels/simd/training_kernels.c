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
 * Each export's arguments are also named, once, in SIMD_KERNEL_SIGNATURES of simd/module.ts, from which the
 * TypeScript side's types and calls derive; the loader checks every export's arity against it.
 *
 * Build: npm run build:kernels (clang 16 and its lld with the wasm32 target: `apt-get install clang-16 lld-16`),
 * which writes both builds: with OPTBENCH_FUSED_MULTIPLY_ADD (relaxed SIMD) and without (plain SIMD128).
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/*
 * acc + a·b, the step of every product. Built twice (scripts/build-wasm-kernels.sh): with relaxed SIMD's
 * f32x4.relaxed_madd (one fused multiply-add, rounded once, where the CPU has FMA) and, for runtimes without
 * relaxed SIMD, as a multiply and an add (rounded twice).
 */
#ifdef OPTBENCH_FUSED_MULTIPLY_ADD
static inline v128_t multiply_add(v128_t acc, v128_t a, v128_t b) {
  return (v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)a, (__f32x4)b, (__f32x4)acc);
}
#else
static inline v128_t multiply_add(v128_t acc, v128_t a, v128_t b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
#endif

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
  acc[0][0] = multiply_add(acc[0][0], s0, v0);
  acc[0][1] = multiply_add(acc[0][1], s0, v1);
  acc[1][0] = multiply_add(acc[1][0], s1, v0);
  acc[1][1] = multiply_add(acc[1][1], s1, v1);
  acc[2][0] = multiply_add(acc[2][0], s2, v0);
  acc[2][1] = multiply_add(acc[2][1], s2, v1);
  acc[3][0] = multiply_add(acc[3][0], s3, v0);
  acc[3][1] = multiply_add(acc[3][1], s3, v1);
}

/* As rank1_update_4x8 for a 4×4 block. */
static inline void rank1_update_4x4(v128_t acc[4], v128_t s0, v128_t s1, v128_t s2, v128_t s3, v128_t v0) {
  acc[0] = multiply_add(acc[0], s0, v0);
  acc[1] = multiply_add(acc[1], s1, v0);
  acc[2] = multiply_add(acc[2], s2, v0);
  acc[3] = multiply_add(acc[3], s3, v0);
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

/*
 * filter_block_4x8 for four taps that lie side by side in x (four input channels of one (kh, kw)): the four
 * broadcasts come from one address with constant offsets, which saves wasm three address additions per
 * position. The same products in the same order, so the same sums to the bit.
 */
static inline void filter_block_4x8_adjacent(const float* x, const float* dy, float* dw, const int* base, int positions,
                                             int cout, int first_tap_offset, int co) {
  v128_t acc[4][2];
  for (int j = 0; j < 4; j++) {
    acc[j][0] = wasm_v128_load(dw + j * cout + co);
    acc[j][1] = wasm_v128_load(dw + j * cout + co + 4);
  }
  const float* xt = x + first_tap_offset;
  for (int p = 0; p < positions; p++) {
    const float* xp = xt + base[p];
    const v128_t dy0 = wasm_v128_load(dy + p * cout + co);
    const v128_t dy1 = wasm_v128_load(dy + p * cout + co + 4);
    rank1_update_4x8(acc, wasm_v128_load32_splat(xp), wasm_v128_load32_splat(xp + 1), wasm_v128_load32_splat(xp + 2),
                     wasm_v128_load32_splat(xp + 3), dy0, dy1);
  }
  for (int j = 0; j < 4; j++) {
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
      const int adjacent = rows == 4 && tap_offset[3] == tap_offset[0] + 3;
      float* dw_rows = dw + k * cout;
      int co = 0;
      if (adjacent) {
        for (; co + 8 <= cout; co += 8) filter_block_4x8_adjacent(x, dy_tile, dw_rows, base, count, cout, tap_offset[0], co);
      }
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

/*
 * out[p, co..co+7] (co+4.. when `wide`) for four positions: Σ_k x[base_i + tap k]·W[k, co..], k in order. A
 * window's row (kw, ci) lies contiguously in x, so the taps run row by row: `run` = KW·Cin taps from each of
 * the KH rows, `row_values` = W·Cin apart (no table of tap offsets to load per tap).
 */
static inline void forward_block(const float* x, const float* w, float* out, const int* base, int positions, int filter_h,
                                 int run, int row_values, int cout, int co, int wide) {
  const float* x0 = x + base[0];
  const float* x1 = positions > 1 ? x + base[1] : x0;
  const float* x2 = positions > 2 ? x + base[2] : x0;
  const float* x3 = positions > 3 ? x + base[3] : x0;
  v128_t acc[4][2];
  for (int i = 0; i < 4; i++) acc[i][0] = acc[i][1] = wasm_f32x4_splat(0.0f);
  for (int kh = 0; kh < filter_h; kh++) {
    const int row = kh * row_values;
    const float* wk = w + kh * run * cout + co;
    if (wide) {
      for (int r = 0; r < run; r++, wk += cout) {
        const v128_t w0 = wasm_v128_load(wk);
        const v128_t w1 = wasm_v128_load(wk + 4);
        rank1_update_4x8(acc, wasm_v128_load32_splat(x0 + row + r), wasm_v128_load32_splat(x1 + row + r),
                         wasm_v128_load32_splat(x2 + row + r), wasm_v128_load32_splat(x3 + row + r), w0, w1);
      }
    } else {
      v128_t narrow[4] = {acc[0][0], acc[1][0], acc[2][0], acc[3][0]};
      for (int r = 0; r < run; r++, wk += cout) {
        rank1_update_4x4(narrow, wasm_v128_load32_splat(x0 + row + r), wasm_v128_load32_splat(x1 + row + r),
                         wasm_v128_load32_splat(x2 + row + r), wasm_v128_load32_splat(x3 + row + r), wasm_v128_load(wk));
      }
      for (int i = 0; i < 4; i++) acc[i][0] = narrow[i];
    }
  }
  for (int i = 0; i < positions; i++) {
    wasm_v128_store(out + i * cout + co, acc[i][0]);
    if (wide) wasm_v128_store(out + i * cout + co + 4, acc[i][1]);
  }
}

/*
 * Conv2D, NHWC, for convolutions whose every window lies inside the input (no padding), cout a multiple of
 * 4: out[p, co] = Σ_k x[window(p) + tap k]·W[k, co], four positions × eight output channels at a time, W
 * read as it is ([KH·KW·Cin, Cout] rows).
 */
EXPORT(conv2d_valid)
void conv2d_valid(const float* x, const float* w, float* out, int batch, int in_h, int in_w, int cin, int out_h,
                  int out_w, int cout, int stride_h, int stride_w, int filter_h, int filter_w) {
  const int run = filter_w * cin;
  const int row_values = in_w * cin;
  const int positions = batch * out_h * out_w;
  int base[4];
  for (int first = 0; first < positions; first += 4) {
    const int count = positions - first < 4 ? positions - first : 4;
    for (int i = 0; i < count; i++) base[i] = window_start(first + i, in_h, in_w, cin, out_h, out_w, stride_h, stride_w);
    float* out_rows = out + first * cout;
    int co = 0;
    for (; co + 8 <= cout; co += 8) forward_block(x, w, out_rows, base, count, filter_h, run, row_values, cout, co, 1);
    if (co < cout) forward_block(x, w, out_rows, base, count, filter_h, run, row_values, cout, co, 0);
  }
}

/* to[0..count) = from[0..count): whole vectors, then the rest. */
static inline void copy_values(float* to, const float* from, int count) {
  int v = 0;
  for (; v + 4 <= count; v += 4) wasm_v128_store(to + v, wasm_v128_load(from + v));
  for (; v < count; v++) to[v] = from[v];
}

/*
 * GatherV2 of whole rows (an embedding lookup): out row i = x row ids[i], each row `row_values` 4-byte values.
 * The ids are checked by the caller.
 */
EXPORT(gather_rows)
void gather_rows(const float* x, const int* ids, float* out, int count, int row_values) {
  for (int i = 0; i < count; i++) copy_values(out + i * row_values, x + ids[i] * row_values, row_values);
}

/*
 * UnsortedSegmentSum of whole rows (an embedding's gradient): out (out_rows rows) = 0, then row ids[i] += x row
 * i for i = 0, 1, ... in order, as wasm's ScatterNd adds (so the sums are the same to the bit). The ids are
 * checked by the caller.
 */
EXPORT(scatter_add_rows)
void scatter_add_rows(const float* x, const int* ids, float* out, int count, int row_values, int out_rows) {
  zero(out, out_rows * row_values);
  for (int i = 0; i < count; i++) {
    float* to = out + ids[i] * row_values;
    const float* from = x + i * row_values;
    int v = 0;
    for (; v + 4 <= row_values; v += 4) wasm_v128_store(to + v, wasm_f32x4_add(wasm_v128_load(to + v), wasm_v128_load(from + v)));
    for (; v < row_values; v++) to[v] += from[v];
  }
}

/*
 * ---- Fused LSTM (Keras 2.x semantics) ----
 *
 * z_t = x_t·W + h_{t-1}·U + b, gates in Keras order [i | f | g | o] (each `units` wide);
 * i, f, o = sigmoid(z), g = tanh(z); c_t = f·c_{t-1} + i·g; h_t = o·tanh(c_t); h_{-1} = c_{-1} = 0.
 * The whole sequence runs in one call forward (lstm_forward) and one backward (lstm_backward, BPTT), so the
 * 240 timesteps of the temperature model cost two kernel calls instead of ~20,000 small tfjs operations.
 * Saved for the backward pass, time-major: gates [T, B, 4U] (after activation), cells c_t and hiddens h_t
 * [T, B, U]. x is [B, T, F] as the layer receives it. Every product that does not depend on the previous
 * timestep (x·W forward; dW, dU, db and dx backward) runs once over all T·B rows; only h·U forward and
 * dz·Uᵀ backward run per timestep.
 */

#define LSTM_ROW_TILE 64

static inline v128_t splat(float v) { return wasm_f32x4_splat(v); }

/*
 * e^x, Cephes expf (range reduction by ln 2 in two parts, degree-6 polynomial): ~1 ulp in [-87, 88]. pmin/pmax
 * (one x86 instruction each; a NaN input stays NaN) rather than min/max, whose NaN and ±0 rules cost ~7; 2^n
 * from n's bits after adding 1.5·2^23 (n then sits in the low mantissa bits) rather than a saturating convert.
 */
static inline v128_t exp4(v128_t x) {
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, splat(-87.0f)), splat(88.0f));
  const v128_t n = wasm_f32x4_floor(wasm_f32x4_add(wasm_f32x4_mul(x, splat(1.44269504088896341f)), splat(0.5f)));
  x = wasm_f32x4_sub(x, wasm_f32x4_mul(n, splat(0.693359375f)));
  x = wasm_f32x4_sub(x, wasm_f32x4_mul(n, splat(-2.12194440e-4f)));
  const v128_t x2 = wasm_f32x4_mul(x, x);
  v128_t y = splat(1.9875691500e-4f);
  y = wasm_f32x4_add(wasm_f32x4_mul(y, x), splat(1.3981999507e-3f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, x), splat(8.3334519073e-3f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, x), splat(4.1665795894e-2f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, x), splat(1.6666665459e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, x), splat(5.0000001201e-1f));
  y = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(y, x2), x), splat(1.0f));
  const v128_t n_bits = wasm_f32x4_add(n, splat(12582912.0f)); /* bits 0x4B400000 + n */
  const v128_t two_to_n = wasm_i32x4_shl(wasm_i32x4_add(n_bits, wasm_i32x4_splat(127 - 0x4B400000)), 23);
  return wasm_f32x4_mul(y, two_to_n);
}

/* 1 / (1 + e^-x), as tfjs's sigmoid (Keras 2.x's recurrent activation; not tfjs-layers' hard sigmoid). */
static inline v128_t sigmoid4(v128_t x) {
  return wasm_f32x4_div(splat(1.0f), wasm_f32x4_add(splat(1.0f), exp4(wasm_f32x4_neg(x))));
}

/*
 * tanh, Cephes tanhf: an odd polynomial below |x| = 0.625 (where 1 - 2/(e^2x + 1) would lose digits to
 * cancellation), 1 - 2/(e^2|x| + 1) with x's sign above.
 */
static inline v128_t tanh4(v128_t x) {
  const v128_t ax = wasm_f32x4_abs(x);
  const v128_t big = wasm_f32x4_sub(splat(1.0f), wasm_f32x4_div(splat(2.0f), wasm_f32x4_add(exp4(wasm_f32x4_add(ax, ax)), splat(1.0f))));
  const v128_t signed_big = wasm_v128_or(big, wasm_v128_and(x, wasm_i32x4_splat((int)0x80000000)));
  const v128_t z = wasm_f32x4_mul(x, x);
  v128_t p = splat(-5.70498872745e-3f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), splat(2.06390887954e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), splat(-5.37397155531e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), splat(1.33314422036e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), splat(-3.33332819422e-1f));
  const v128_t small = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, z), x), x);
  return wasm_v128_bitselect(small, signed_big, wasm_f32x4_lt(ax, splat(0.625f)));
}

/* The first `count` (1..4) floats at `from` in the low lanes, zeros above. */
static inline v128_t load_lanes(const float* from, int count) {
  if (count == 4) return wasm_v128_load(from);
  float lanes[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int i = 0; i < count; i++) lanes[i] = from[i];
  return wasm_v128_load(lanes);
}

static inline void store_lanes(float* to, v128_t value, int count) {
  if (count == 4) {
    wasm_v128_store(to, value);
    return;
  }
  float lanes[4];
  wasm_v128_store(lanes, value);
  for (int i = 0; i < count; i++) to[i] = lanes[i];
}

static inline float horizontal_sum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

/*
 * c_i[0..n) = init_i[0..n) + a_i[0..k)·B for four rows i (B is [k, n] row-major, n a multiple of 4). Only the
 * first `rows` rows are stored; callers point the others at row 0.
 */
static void rows_times_matrix(const float* const a[4], const float* const init[4], float* const c[4], int rows,
                              const float* b, int k, int n) {
  int co = 0;
  for (; co + 8 <= n; co += 8) {
    v128_t acc[4][2];
    for (int i = 0; i < 4; i++) {
      acc[i][0] = wasm_v128_load(init[i] + co);
      acc[i][1] = wasm_v128_load(init[i] + co + 4);
    }
    for (int kk = 0; kk < k; kk++) {
      const v128_t v0 = wasm_v128_load(b + kk * n + co);
      const v128_t v1 = wasm_v128_load(b + kk * n + co + 4);
      rank1_update_4x8(acc, wasm_v128_load32_splat(a[0] + kk), wasm_v128_load32_splat(a[1] + kk),
                       wasm_v128_load32_splat(a[2] + kk), wasm_v128_load32_splat(a[3] + kk), v0, v1);
    }
    for (int i = 0; i < rows; i++) {
      wasm_v128_store(c[i] + co, acc[i][0]);
      wasm_v128_store(c[i] + co + 4, acc[i][1]);
    }
  }
  if (co < n) {
    v128_t acc[4];
    for (int i = 0; i < 4; i++) acc[i] = wasm_v128_load(init[i] + co);
    for (int kk = 0; kk < k; kk++) {
      rank1_update_4x4(acc, wasm_v128_load32_splat(a[0] + kk), wasm_v128_load32_splat(a[1] + kk),
                       wasm_v128_load32_splat(a[2] + kk), wasm_v128_load32_splat(a[3] + kk), wasm_v128_load(b + kk * n + co));
    }
    for (int i = 0; i < rows; i++) wasm_v128_store(c[i] + co, acc[i]);
  }
}

/*
 * c_i[j] = a_i[0..k)·b_j[0..k) for two rows i and j < n, where b_j is row j of a row-major [n, k] matrix:
 * the product with a transposed matrix as dot products of contiguous rows (k a multiple of 4). Only the first
 * `rows` (1 or 2) rows are stored.
 */
static void rows_times_transposed(const float* a0, const float* a1, float* c0, float* c1, int rows, const float* b, int k,
                                  int n) {
  for (int j0 = 0; j0 < n; j0 += 4) {
    const int cols = n - j0 < 4 ? n - j0 : 4;
    const float* b0 = b + j0 * k;
    const float* b1 = cols > 1 ? b0 + k : b0;
    const float* b2 = cols > 2 ? b0 + 2 * k : b0;
    const float* b3 = cols > 3 ? b0 + 3 * k : b0;
    v128_t acc0[4], acc1[4];
    for (int q = 0; q < 4; q++) acc0[q] = acc1[q] = splat(0.0f);
    for (int kk = 0; kk < k; kk += 4) {
      const v128_t x0 = wasm_v128_load(a0 + kk);
      const v128_t x1 = wasm_v128_load(a1 + kk);
      const v128_t y0 = wasm_v128_load(b0 + kk);
      const v128_t y1 = wasm_v128_load(b1 + kk);
      const v128_t y2 = wasm_v128_load(b2 + kk);
      const v128_t y3 = wasm_v128_load(b3 + kk);
      acc0[0] = multiply_add(acc0[0], x0, y0);
      acc0[1] = multiply_add(acc0[1], x0, y1);
      acc0[2] = multiply_add(acc0[2], x0, y2);
      acc0[3] = multiply_add(acc0[3], x0, y3);
      acc1[0] = multiply_add(acc1[0], x1, y0);
      acc1[1] = multiply_add(acc1[1], x1, y1);
      acc1[2] = multiply_add(acc1[2], x1, y2);
      acc1[3] = multiply_add(acc1[3], x1, y3);
    }
    for (int q = 0; q < cols; q++) {
      c0[j0 + q] = horizontal_sum(acc0[q]);
      if (rows > 1) c1[j0 + q] = horizontal_sum(acc1[q]);
    }
  }
}

/*
 * R[p, j] += Σ_r a_r[p]·d_r[j] over `count` rows r (≤ LSTM_ROW_TILE): a tile of Aᵀ·D, A's rows at a[r] (width
 * p_count, any), D's rows contiguous (width n, a multiple of 4). R is [p_count, n], kept in memory between tiles.
 */
static void accumulate_transposed_product(const float* const* a, const float* d, int count, float* r, int p_count, int n) {
  for (int p = 0; p < p_count; p += 4) {
    const int rows = p_count - p < 4 ? p_count - p : 4;
    /* Columns of A past `rows` repeat column p; their sums are never stored. */
    const int o1 = rows > 1 ? p + 1 : p, o2 = rows > 2 ? p + 2 : p, o3 = rows > 3 ? p + 3 : p;
    int co = 0;
    for (; co + 8 <= n; co += 8) {
      v128_t acc[4][2];
      for (int i = 0; i < 4; i++) {
        acc[i][0] = i < rows ? wasm_v128_load(r + (p + i) * n + co) : splat(0.0f);
        acc[i][1] = i < rows ? wasm_v128_load(r + (p + i) * n + co + 4) : splat(0.0f);
      }
      for (int q = 0; q < count; q++) {
        const float* ar = a[q];
        rank1_update_4x8(acc, wasm_v128_load32_splat(ar + p), wasm_v128_load32_splat(ar + o1), wasm_v128_load32_splat(ar + o2),
                         wasm_v128_load32_splat(ar + o3), wasm_v128_load(d + q * n + co), wasm_v128_load(d + q * n + co + 4));
      }
      for (int i = 0; i < rows; i++) {
        wasm_v128_store(r + (p + i) * n + co, acc[i][0]);
        wasm_v128_store(r + (p + i) * n + co + 4, acc[i][1]);
      }
    }
    if (co < n) {
      v128_t acc[4];
      for (int i = 0; i < 4; i++) acc[i] = i < rows ? wasm_v128_load(r + (p + i) * n + co) : splat(0.0f);
      for (int q = 0; q < count; q++) {
        const float* ar = a[q];
        rank1_update_4x4(acc, wasm_v128_load32_splat(ar + p), wasm_v128_load32_splat(ar + o1), wasm_v128_load32_splat(ar + o2),
                         wasm_v128_load32_splat(ar + o3), wasm_v128_load(d + q * n + co));
      }
      for (int i = 0; i < rows; i++) wasm_v128_store(r + (p + i) * n + co, acc[i]);
    }
  }
}

/* Row (t, b) of x [B, T, F]. */
static inline const float* x_row(const float* x, int t, int b, int timesteps, int features) {
  return x + (b * timesteps + t) * features;
}

/*
 * One timestep's gate activations and state update for one batch row, `count` (1..4) units from unit j:
 * z (the row's [4U] pre-activations) becomes [i | f | g | o] in place; c and h get c_t and h_t.
 */
static inline void lstm_cell_forward(float* z, const float* c_prev, float* c, float* h, int units, int j, int count) {
  const v128_t i = sigmoid4(load_lanes(z + j, count));
  const v128_t f = sigmoid4(load_lanes(z + units + j, count));
  const v128_t g = tanh4(load_lanes(z + 2 * units + j, count));
  const v128_t o = sigmoid4(load_lanes(z + 3 * units + j, count));
  const v128_t ig = wasm_f32x4_mul(i, g);
  const v128_t cell = c_prev ? wasm_f32x4_add(wasm_f32x4_mul(f, load_lanes(c_prev + j, count)), ig) : ig;
  store_lanes(z + j, i, count);
  store_lanes(z + units + j, f, count);
  store_lanes(z + 2 * units + j, g, count);
  store_lanes(z + 3 * units + j, o, count);
  store_lanes(c + j, cell, count);
  store_lanes(h + j, wasm_f32x4_mul(o, tanh4(cell)), count);
}

/*
 * LSTM forward over the whole sequence (see above). Outputs: h_last [B, U] = h_{T-1}; gates [T, B, 4U],
 * cells and hiddens [T, B, U] for lstm_backward. w is [F, 4U], u [U, 4U], bias [4U].
 */
EXPORT(lstm_forward)
void lstm_forward(const float* x, const float* w, const float* u, const float* bias, float* h_last, float* gates,
                  float* cells, float* hiddens, int batch, int timesteps, int features, int units) {
  const int width = 4 * units;
  const int rows = timesteps * batch;
  const float* a[4];
  const float* init[4] = {bias, bias, bias, bias};
  float* c[4];
  /* z_t = b + x_t·W for every timestep at once (rows in (t, b) order). */
  for (int r0 = 0; r0 < rows; r0 += 4) {
    const int count = rows - r0 < 4 ? rows - r0 : 4;
    for (int q = 0; q < 4; q++) {
      const int r = q < count ? r0 + q : r0;
      a[q] = x_row(x, r / batch, r % batch, timesteps, features);
      c[q] = gates + r * width;
    }
    rows_times_matrix(a, init, c, count, w, features, width);
  }
  for (int t = 0; t < timesteps; t++) {
    float* z = gates + t * batch * width;
    const float* h_prev = hiddens + (t - 1) * batch * units;
    if (t > 0) {
      /* z_t += h_{t-1}·U */
      for (int b0 = 0; b0 < batch; b0 += 4) {
        const int count = batch - b0 < 4 ? batch - b0 : 4;
        for (int q = 0; q < 4; q++) {
          const int b = q < count ? b0 + q : b0;
          a[q] = h_prev + b * units;
          c[q] = z + b * width;
          init[q] = c[q];
        }
        rows_times_matrix(a, init, c, count, u, units, width);
      }
    }
    for (int b = 0; b < batch; b++) {
      const float* c_prev = t > 0 ? cells + ((t - 1) * batch + b) * units : 0;
      float* cell = cells + (t * batch + b) * units;
      float* h = hiddens + (t * batch + b) * units;
      for (int j = 0; j < units; j += 4) lstm_cell_forward(z + b * width, c_prev, cell, h, units, j, units - j < 4 ? units - j : 4);
    }
  }
  const float* h_end = hiddens + (timesteps - 1) * batch * units;
  for (int v = 0; v < batch * units; v++) h_last[v] = h_end[v];
}

/*
 * One timestep of BPTT through the cell for one batch row, `count` units from j: from dh (∂L/∂h_t) and dc
 * (∂L/∂c_t arriving from t+1), writes dz = ∂L/∂z_t [4U] and replaces dc by ∂L/∂c_{t-1}.
 */
static inline void lstm_cell_backward(const float* gate, const float* c, const float* c_prev, const float* dh, float* dc,
                                      float* dz, int units, int j, int count) {
  const v128_t one = splat(1.0f);
  const v128_t i = load_lanes(gate + j, count);
  const v128_t f = load_lanes(gate + units + j, count);
  const v128_t g = load_lanes(gate + 2 * units + j, count);
  const v128_t o = load_lanes(gate + 3 * units + j, count);
  const v128_t tc = tanh4(load_lanes(c + j, count));
  const v128_t dht = load_lanes(dh + j, count);
  const v128_t dct = wasm_f32x4_add(load_lanes(dc + j, count),
                                    wasm_f32x4_mul(wasm_f32x4_mul(dht, o), wasm_f32x4_sub(one, wasm_f32x4_mul(tc, tc))));
  const v128_t cp = c_prev ? load_lanes(c_prev + j, count) : splat(0.0f);
  const v128_t dzi = wasm_f32x4_mul(wasm_f32x4_mul(dct, g), wasm_f32x4_mul(i, wasm_f32x4_sub(one, i)));
  const v128_t dzf = wasm_f32x4_mul(wasm_f32x4_mul(dct, cp), wasm_f32x4_mul(f, wasm_f32x4_sub(one, f)));
  const v128_t dzg = wasm_f32x4_mul(wasm_f32x4_mul(dct, i), wasm_f32x4_sub(one, wasm_f32x4_mul(g, g)));
  const v128_t dzo = wasm_f32x4_mul(wasm_f32x4_mul(dht, tc), wasm_f32x4_mul(o, wasm_f32x4_sub(one, o)));
  store_lanes(dz + j, dzi, count);
  store_lanes(dz + units + j, dzf, count);
  store_lanes(dz + 2 * units + j, dzg, count);
  store_lanes(dz + 3 * units + j, dzo, count);
  store_lanes(dc + j, wasm_f32x4_mul(dct, f), count);
}

/*
 * LSTM backward (BPTT) over the whole sequence, from dy = ∂L/∂h_{T-1} [B, U] and lstm_forward's saved
 * gates, cells and hiddens. Outputs dx [B, T, F], dw [F, 4U], du [U, 4U], db [4U]. `scratch` holds
 * T·B·4U + 2·B·U floats (dz for every timestep, then dh and dc).
 */
EXPORT(lstm_backward)
void lstm_backward(const float* dy, const float* x, const float* w, const float* u, const float* gates, const float* cells,
                   const float* hiddens, float* dx, float* dw, float* du, float* db, float* scratch, int batch,
                   int timesteps, int features, int units) {
  const int width = 4 * units;
  const int rows = timesteps * batch;
  float* dz = scratch;
  float* dh = dz + rows * width;
  float* dc = dh + batch * units;
  for (int v = 0; v < batch * units; v++) dh[v] = dy[v];
  zero(dc, batch * units);
  for (int t = timesteps - 1; t >= 0; t--) {
    float* dz_t = dz + t * batch * width;
    for (int b = 0; b < batch; b++) {
      const int row = t * batch + b;
      const float* c_prev = t > 0 ? cells + (row - batch) * units : 0;
      for (int j = 0; j < units; j += 4) {
        lstm_cell_backward(gates + row * width, cells + row * units, c_prev, dh + b * units, dc + b * units, dz_t + b * width,
                           units, j, units - j < 4 ? units - j : 4);
      }
    }
    if (t == 0) break;
    /* ∂L/∂h_{t-1} = dz_t·Uᵀ */
    for (int b = 0; b < batch; b += 2) {
      const int count = batch - b < 2 ? 1 : 2;
      const float* second = dz_t + (count > 1 ? b + 1 : b) * width;
      rows_times_transposed(dz_t + b * width, second, dh + b * units, dh + (b + count - 1) * units, count, u, width, units);
    }
  }
  /* db = Σ dz; dx = dz·Wᵀ; dW = Xᵀ·dz; dU = H_{t-1}ᵀ·dz (t ≥ 1) */
  zero(db, width);
  for (int r = 0; r < rows; r++) {
    for (int j = 0; j < width; j += 4) wasm_v128_store(db + j, wasm_f32x4_add(wasm_v128_load(db + j), wasm_v128_load(dz + r * width + j)));
  }
  for (int r = 0; r < rows; r += 2) {
    const int count = rows - r < 2 ? 1 : 2;
    const int r1 = r + count - 1;
    rows_times_transposed(dz + r * width, dz + r1 * width, dx + (r % batch * timesteps + r / batch) * features,
                          dx + (r1 % batch * timesteps + r1 / batch) * features, count, w, width, features);
  }
  zero(dw, features * width);
  zero(du, units * width);
  const float* a[LSTM_ROW_TILE];
  for (int first = 0; first < rows; first += LSTM_ROW_TILE) {
    const int count = rows - first < LSTM_ROW_TILE ? rows - first : LSTM_ROW_TILE;
    for (int q = 0; q < count; q++) a[q] = x_row(x, (first + q) / batch, (first + q) % batch, timesteps, features);
    accumulate_transposed_product(a, dz + first * width, count, dw, features, width);
  }
  /* Row r of H_{t-1} (r over (t - 1, b)) is hiddens' row r; it pairs with dz's row r + batch. */
  for (int first = 0; first < rows - batch; first += LSTM_ROW_TILE) {
    const int count = rows - batch - first < LSTM_ROW_TILE ? rows - batch - first : LSTM_ROW_TILE;
    for (int q = 0; q < count; q++) a[q] = hiddens + (first + q) * units;
    accumulate_transposed_product(a, dz + (batch + first) * width, count, du, units, width);
  }
}
