// Training kernels that tfjs-backend-wasm 4.22 lacks, gets wrong, or runs slowly, composed from
// the wasm backend's own kernels so the heavy lifting stays in XNNPACK-backed Conv2D.
//
// - Conv2DBackpropFilter: missing, so every CNN training step threw.
// - Conv2DBackpropInput: present but a naive scalar C++ loop (3-7x slower than this composition).
// - MaxPoolGrad: present but wrong. Its C++ seeds the running max with FLT_MIN (the smallest
//   *positive* float) and uses >=, so windows whose values are all <= 0 lose their gradient and
//   ties go to the last max instead of the first (tfjs-core/cpu semantics). Also slow.
// - AvgPoolGrad: correct but slow; replaced only for non-overlapping unpadded windows.
//
// Kernels are invoked directly through their registered kernelFunc (not tf.engine().runKernel):
// intermediates never become engine tensors, so we free them ourselves with backend.disposeData,
// and only the final result is handed back to the engine.
import '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;
interface ConvAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: Shape4; // Conv2DBackpropFilter
  inputShape: Shape4; // Conv2DBackpropInput
  filterSize: [number, number] | number; // pool grads
}
const LOWEST = -3.4028234663852886e38; // -FLT_MAX: finite, so 0 * LOWEST stays 0 inside a conv

/** Runs wasm kernels and remembers every output so all intermediates can be freed at once. */
class Scope {
  private readonly outputs: TensorInfo[] = [];
  constructor(readonly backend: BackendWasm) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = getKernel(name, 'wasm');
    if (kernel == null) throw new Error(`wasm backend has no '${name}' kernel to compose with`);
    return this.track(kernel.kernelFunc({ inputs, backend: this.backend, attrs }) as TensorInfo);
  }
  track(t: TensorInfo): TensorInfo {
    this.outputs.push(t);
    return t;
  }
  /** A small constant (e.g. a one-hot filter); building it is bookkeeping, not compute. */
  constant(values: Float32Array, shape: number[]): TensorInfo {
    return this.track({ dataId: this.backend.write(values, shape, 'float32'), shape, dtype: 'float32' });
  }
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }
  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }
  /** Pads (value `fill`) or crops each axis: negative amounts crop. Slice/PadV2 only when needed. */
  padCrop(x: TensorInfo, pads: Array<[number, number]>, fill = 0): TensorInfo {
    let out = x;
    if (pads.some(([a, b]) => a < 0 || b < 0)) {
      const begin = pads.map(([a]) => Math.max(-a, 0));
      const size = pads.map(([a, b], i) => x.shape[i] + Math.min(a, 0) + Math.min(b, 0));
      // The wasm Slice copies one innermost row per JS call: fold uncropped trailing axes into
      // the previous one so rows are long (matters for NHWC with few channels).
      const shape = [...x.shape];
      while (shape.length > 1 && size[size.length - 1] === shape[shape.length - 1]) {
        const last = shape.pop() as number;
        size.pop();
        begin.pop();
        shape[shape.length - 1] *= last;
        size[size.length - 1] *= last;
        begin[begin.length - 1] *= last;
      }
      const sliced = this.run('Slice', { x: this.reshape(x, shape) }, { begin, size });
      out = this.reshape(
        sliced,
        x.shape.map((d, i) => d + Math.min(pads[i][0], 0) + Math.min(pads[i][1], 0)),
      );
    }
    if (pads.some(([a, b]) => a > 0 || b > 0)) {
      const paddings = pads.map(([a, b]) => [Math.max(a, 0), Math.max(b, 0)]);
      out = this.run('PadV2', { x: out }, { paddings, constantValue: fill });
    }
    return out;
  }
  conv(x: TensorInfo, filter: TensorInfo, strides: number[], dilations: number[], pad: Pad): TensorInfo {
    return this.run('Conv2D', { x, filter }, { strides, dilations, pad, dataFormat: 'NHWC' });
  }
  /** Frees every intermediate except `keep` (each output holds its own reference). */
  release(keep?: TensorInfo): void {
    for (const t of this.outputs) if (t !== keep) this.backend.disposeData(t.dataId);
  }
}

/** Runs `body` in a fresh Scope; intermediates are freed on success and on error alike. */
function compose<T extends TensorInfo | null>(backend: unknown, body: (s: Scope) => T): T {
  const s = new Scope(backend as BackendWasm);
  let result: T | undefined;
  try {
    result = body(s);
    return result;
  } finally {
    s.release(result ?? undefined);
  }
}

function need(inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const t = inputs[name];
  if (t == null) throw new Error(`missing kernel input '${name}'`);
  return t;
}

const explicitPad = (t: number, b: number, l: number, r: number): backend_util.ExplicitPadding => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

/** Rows/cols of the input beyond the last window (< 0: forward conv never read them). */
function trailing(info: backend_util.Conv2DInfo): [number, number] {
  const { inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, padInfo } = info;
  return [
    (outHeight - 1) * strideHeight + info.effectiveFilterHeight - padInfo.top - inHeight,
    (outWidth - 1) * strideWidth + info.effectiveFilterWidth - padInfo.left - inWidth,
  ];
}

/**
 * dW[i,j,c,o] = sum_{b,y,x} xPad[b, y*sh+i, x*sw+j, c] * dy[b,y,x,o]. With the batch as the
 * contracted channel axis this is a stride-1 conv of x^T[c,h,w,b] by dy^T[y,x,b,o] dilated by the
 * forward strides, giving [c,kh,kw,o]. Input rows the forward conv never read are cropped so the
 * output is exactly kh x kw.
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const [x, dy] = [need(inputs, 'x'), need(inputs, 'dy')];
  const a = attrs as unknown as ConvAttrs;
  if (a.dataFormat != null && a.dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter on wasm needs NHWC');
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  const [bottom, right] = trailing(info);
  const { top, left } = info.padInfo;
  return compose(backend, (s) => {
    const xT = s.padCrop(s.transpose(x, [3, 1, 2, 0]), [
      [0, 0],
      [0, Math.min(bottom, 0)],
      [0, Math.min(right, 0)],
      [0, 0],
    ]);
    const dyT = s.transpose(dy, [1, 2, 0, 3]);
    const dW = s.conv(
      xT,
      dyT,
      [1, 1],
      [info.strideHeight, info.strideWidth],
      explicitPad(top, Math.max(bottom, 0), left, Math.max(right, 0)),
    );
    return s.transpose(dW, [1, 2, 0, 3]);
  });
};

/**
 * dX is the transposed convolution of dy. Rather than zero-stuffing dy (s^2 times the work for
 * strides s), use the sub-pixel split: input pixel u = o*s + i - pad gets dy[o] * W[i] only from
 * taps i = u + pad (mod s), so each of the s*s phases is a stride-1 conv of dy with
 * every s-th tap of the 180-degree-rotated filter. One Conv2D computes all phases as s*s*ci output
 * channels; a reshape/transpose interleaves them back to full resolution, then we crop to inputShape.
 * With strides 1 this is the textbook "full conv with the rotated, channel-swapped filter".
 * Returns null (before running anything) for pads wider than the kernel.
 */
function transposedConv(
  s: Scope,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | null {
  const { batchSize: n, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw } = info;
  // Per axis: m = taps per phase; q0..q1 = coarse rows whose phases cover input rows [0, size).
  const axis = (k: number, st: number, pad: number, size: number, outSize: number) => {
    const m = Math.ceil(k / st);
    const q0 = Math.floor(pad / st);
    const q1 = Math.floor((pad + size - 1) / st);
    const front = m - 1 - q0;
    const back = Math.max(q1 - outSize + 1, 0);
    const coarse = outSize + front + back - m + 1;
    const crop = pad - q0 * st; // rows of the interleaved result before input row 0
    return { m, front, back, coarse, crop, tail: coarse * st - crop - size };
  };
  const y = axis(info.filterHeight, sh, info.padInfo.top, info.inHeight, info.outHeight);
  const x = axis(info.filterWidth, sw, info.padInfo.left, info.inWidth, info.outWidth);
  if (y.front < 0 || x.front < 0) return null;
  // Filter [kh,kw,ci,co] -> taps grouped by phase [m, s] per axis, rotated, in/out swapped:
  // [my, mx, co, sh*sw*ci] with output channels ordered (phaseY, phaseX, ci).
  const padded = s.padCrop(filter, [
    [0, y.m * sh - info.filterHeight],
    [0, x.m * sw - info.filterWidth],
    [0, 0],
    [0, 0],
  ]);
  const phased = s.run('Reverse', { x: s.reshape(padded, [y.m, sh, x.m, sw, ci, co]) }, { dims: [0, 2] });
  const f = s.reshape(s.transpose(phased, [0, 2, 5, 1, 3, 4]), [y.m, x.m, co, sh * sw * ci]);
  let out = s.conv(dy, f, [1, 1], [1, 1], explicitPad(y.front, y.back, x.front, x.back));
  if (sh > 1 || sw > 1) {
    const split = s.reshape(out, [n, y.coarse, x.coarse, sh, sw, ci]);
    out = s.reshape(s.transpose(split, [0, 1, 3, 2, 4, 5]), [n, y.coarse * sh, x.coarse * sw, ci]);
  }
  return s.padCrop(out, [
    [0, 0],
    [-y.crop, -y.tail],
    [-x.crop, -x.tail],
    [0, 0],
  ]);
}

function makeConv2DBackpropInput(stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const [dy, filter] = [need(args.inputs, 'dy'), need(args.inputs, 'filter')];
    const a = args.attrs as unknown as ConvAttrs;
    if (a.dataFormat == null || a.dataFormat === 'NHWC') {
      const info = backend_util.computeConv2DInfo(
        a.inputShape,
        filter.shape as Shape4,
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
        false,
        'channelsLast',
      );
      const dx = compose(args.backend, (s) => transposedConv(s, dy, filter, info));
      if (dx != null) return dx;
    }
    // NCHW or pads wider than the kernel: the stock kernel handles those (slowly).
    if (stock == null) throw new Error('Conv2DBackpropInput: unsupported configuration on wasm');
    return stock(args);
  };
}

/** Identity filter [kh,kw,1,K]: a conv with it copies each window into K channels (im2col). */
function windowFilter(s: Scope, kh: number, kw: number): TensorInfo {
  const k = kh * kw;
  const values = new Float32Array(k * k);
  for (let i = 0; i < k; i++) values[i * k + i] = 1;
  return s.constant(values, [kh, kw, 1, k]);
}

/**
 * dx gets dy at the first maximum of each window (row-major order, like tfjs-core/cpu).
 * Non-overlapping windows (strides == pool size, the MaxPooling2D default) are regrouped with a
 * reshape/transpose; otherwise windows are extracted with a one-hot conv on channel-as-batch data
 * and scattered back with the matching transposed conv. Either way ArgMax + OneHot pick the max.
 */
const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const [dy, x] = [need(inputs, 'dy'), need(inputs, 'input')];
  const a = attrs as unknown as ConvAttrs;
  const info = backend_util.computePool2DInfo(x.shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const k = kh * kw;
  const [bottom, right] = trailing(info);
  const grid: Array<[number, number]> = [
    [0, 0],
    [padInfo.top, bottom],
    [padInfo.left, right],
    [0, 0],
  ];
  const pickFirstMax = (s: Scope, windows: TensorInfo, dyCol: TensorInfo) => {
    const idx = s.run('ArgMax', { x: windows }, { axis: windows.shape.length - 1 });
    // The wasm OneHot always writes int32 whatever its dtype attr says, hence the Cast.
    const hot = s.run('OneHot', { indices: idx }, { depth: k, onValue: 1, offValue: 0, dtype: 'int32' });
    return s.run('Multiply', { a: s.run('Cast', { x: hot }, { dtype: 'float32' }), b: dyCol });
  };
  if (sh === kh && sw === kw) {
    return compose(backend, (s) => {
      const xg = s.reshape(s.padCrop(x, grid, LOWEST), [b, oh, kh, ow, kw, c]);
      const windows = s.reshape(s.transpose(xg, [0, 1, 3, 5, 2, 4]), [b, oh, ow, c, k]);
      const g = pickFirstMax(s, windows, s.reshape(dy, [b, oh, ow, c, 1]));
      const back = s.transpose(s.reshape(g, [b, oh, ow, c, kh, kw]), [0, 1, 4, 2, 5, 3]);
      const dxGrid = s.reshape(back, [b, oh * kh, ow * kw, c]);
      return s.padCrop(
        dxGrid,
        grid.map(([p, q]) => [-p, -q] as [number, number]),
      );
    });
  }
  const colInfo = backend_util.computeConv2DInfo(
    [b * c, h, w, 1],
    [kh, kw, 1, k],
    [sh, sw],
    1,
    explicitPad(padInfo.top, padInfo.bottom, padInfo.left, padInfo.right),
  );
  return compose(backend, (s) => {
    const filter = windowFilter(s, kh, kw);
    // Pad while still NHWC: the wasm PadV2 is several times slower on a 1-channel layout.
    const xp = s.padCrop(
      x,
      [
        [0, 0],
        [padInfo.top, Math.max(bottom, 0)],
        [padInfo.left, Math.max(right, 0)],
        [0, 0],
      ],
      LOWEST,
    );
    const xc = s.reshape(s.transpose(xp, [0, 3, 1, 2]), [b * c, xp.shape[1], xp.shape[2], 1]);
    const windows = s.conv(xc, filter, [sh, sw], [1, 1], 'valid');
    const g = pickFirstMax(s, windows, s.reshape(s.transpose(dy, [0, 3, 1, 2]), [b * c, oh, ow, 1]));
    const dxc = transposedConv(s, g, filter, colInfo);
    if (dxc == null) throw new Error('MaxPoolGrad: padding wider than the pool window');
    return s.transpose(s.reshape(dxc, [b, c, h, w]), [0, 2, 3, 1]);
  });
};

/** Non-overlapping, unpadded windows: dx = dy / K broadcast over each window. Else stock. */
function makeAvgPoolGrad(stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const [dy, x] = [need(args.inputs, 'dy'), need(args.inputs, 'input')];
    const a = args.attrs as unknown as ConvAttrs;
    const info = backend_util.computePool2DInfo(x.shape as Shape4, a.filterSize, a.strides, 1, a.pad);
    const { batchSize: b, outHeight: oh, outWidth: ow, inChannels: c, filterHeight: kh, filterWidth: kw } = info;
    const { top, left, bottom: pb, right: pr } = info.padInfo;
    if (info.strideHeight !== kh || info.strideWidth !== kw || top + left + pb + pr > 0) {
      if (stock == null) throw new Error('AvgPoolGrad: unsupported configuration on wasm');
      return stock(args);
    }
    const [bottom, right] = trailing(info); // <= 0: unread trailing rows get zero gradient
    return compose(args.backend, (s) => {
      const share = s.run('Fill', {}, { shape: [1, 1, kh, 1, kw, 1], value: 1 / (kh * kw), dtype: 'float32' });
      const spread = s.run('Multiply', { a: s.reshape(dy, [b, oh, 1, ow, 1, c]), b: share });
      return s.padCrop(s.reshape(spread, [b, oh * kh, ow * kw, c]), [
        [0, 0],
        [0, -bottom],
        [0, -right],
        [0, 0],
      ]);
    });
  };
}

/** Names of the kernels this module provides for 'wasm'. */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'AvgPoolGrad',
] as const;

const factories: Record<string, (stock: KernelFunc | undefined) => KernelFunc> = {
  Conv2DBackpropFilter: () => conv2DBackpropFilter,
  Conv2DBackpropInput: makeConv2DBackpropInput,
  MaxPoolGrad: () => maxPoolGrad,
  AvgPoolGrad: makeAvgPoolGrad,
};
const installed = new Map<string, KernelFunc>();
const isOurs = (config: KernelConfig) => installed.get(config.kernelName) === config.kernelFunc;

/**
 * Registers the composed training kernels for backend 'wasm'. Idempotent: later calls find our
 * kernels in place and do nothing. Returns the names of the kernels served by this module (the
 * same list every call), for reporting. Works before or after the wasm backend initializes.
 */
export function registerWasmTrainingKernels(): string[] {
  for (const name of WASM_TRAINING_KERNELS) {
    const current = getKernel(name, 'wasm');
    if (current != null && isOurs(current)) continue;
    const stock = current ?? undefined;
    const kernelFunc = factories[name](stock?.kernelFunc);
    // unregister first: registerKernel on an existing key warns and overwrites.
    if (stock != null) unregisterKernel(name, 'wasm');
    // Keep the stock setupFunc: it cwraps the C++ entry our fallback calls, and the engine only
    // runs setup for kernels registered when the backend initializes.
    registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, setupFunc: stock?.setupFunc });
    installed.set(name, kernelFunc);
  }
  return [...WASM_TRAINING_KERNELS];
}
