// Every layer of a run's model for one input, and the gradients its saliency maps need, in one pass.
//
// A ModelInspector is made once per loaded model (it is the model cache's companion of that model): a
// multi-output tf.model over the Sequential's own layers (the same weights, no copy), whose outputs are every
// layer's output in order. buildModel adds one tfjs layer per spec layer and nothing else (tfjs's Sequential keeps
// its implicit InputLayer out of `layers`), so output i is spec.layers[i]; the constructor checks that.
//
// One request is one tf.tidy: the forward pass (inside the gradient's tape when a saliency map is asked for); then
// one read of each output, of the gradient and of the class, and every tensor disposed. The maps are computed
// from those values in saliency.ts.
import * as tf from '@tensorflow/tfjs';
import type { LayerActivation, Saliency, SaliencyMethod } from '#shared/contract.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import type { ModelCompanion } from '../evaluate/model-cache.ts';
import { gradCam, gradientTimesInput, summarize, topPixels } from './saliency.ts';

export interface SaliencyRequest {
  method: SaliencyMethod;
  /** Absent: the predicted class. */
  classIndex?: number;
}

export interface InspectorResult {
  layers: LayerActivation[];
  probabilities: number[];
  predicted: number;
  saliency: Saliency | null;
}

type Layer = tf.layers.Layer;

export class ModelInspector implements ModelCompanion {
  /** [height, width, channels] the model reads. */
  readonly inputShape: [number, number, number];
  /** The spec's layer types, in order. */
  readonly types: string[];
  /** Each layer's output shape without the batch. */
  readonly shapes: number[][];
  /** Index of the last Conv2D layer (Grad-CAM's), or null when the design has none. */
  readonly lastConv: number | null;
  readonly numClasses: number;
  private readonly layers: Layer[];
  private readonly graph: tf.LayersModel;
  /** The last layer is a softmax Dense: its logits come from its own kernel and bias. */
  private readonly softmaxDense: boolean;
  private disposed = false;

  constructor(model: tf.LayersModel, spec: ModelSpec) {
    this.layers = model.layers;
    const specTypes = spec.layers.map((layer) => layer.type as string);
    const built = this.layers.map((layer) => layer.getClassName());
    if (built.join() !== specTypes.join()) {
      throw new Error(`the model's layers (${built.join(', ')}) do not match its spec (${specTypes.join(', ')})`);
    }
    this.types = specTypes;
    this.inputShape = [...spec.inputShape];
    this.shapes = this.layers.map((layer) => (layer.outputShape as (number | null)[]).slice(1) as number[]);
    const conv = specTypes.lastIndexOf('Conv2D');
    this.lastConv = conv >= 0 ? conv : null;
    const last = this.layers[this.layers.length - 1];
    this.numClasses = this.shapes[this.shapes.length - 1].reduce((a, b) => a * b, 1);
    this.softmaxDense =
      last.getClassName() === 'Dense' && (last.getConfig() as { activation?: string }).activation === 'softmax';
    // The outputs are the layers' own symbolic outputs: this model shares the layers and their weights.
    this.graph = tf.model({
      inputs: model.inputs,
      outputs: this.layers.map((layer) => layer.output as tf.SymbolicTensor),
    });
  }

  /**
   * `input`: height × width × channels values as the model reads them (0..1). With a saliency request, the map
   * for its class (the predicted one when it names none).
   */
  run(input: Float32Array, saliency: SaliencyRequest | null): InspectorResult {
    if (this.disposed) throw new Error('the model inspector was disposed with its model');
    const [height, width, channels] = this.inputShape;
    if (input.length !== height * width * channels)
      throw new Error(`input must have ${height * width * channels} values, got ${input.length}`);
    if (saliency?.method === 'grad-cam' && this.lastConv === null)
      throw new Error('grad-cam needs a Conv2D layer, and this design has none');
    // Tensors kept from inside the gradient's forward pass (which tf.grad tidies away otherwise).
    const kept: tf.Tensor[] = [];
    let tensors: tf.Tensor[] = [];
    try {
      tensors = tf.tidy(() => {
        const x = tf.tensor4d(input, [1, height, width, channels]);
        let outputs: tf.Tensor[];
        const extra: tf.Tensor[] = [];
        if (saliency === null) {
          outputs = this.forward(x);
        } else if (saliency.method === 'gradient-input') {
          let cls: tf.Tensor | null = null;
          const { grad } = tf.valueAndGrad((xi: tf.Tensor) => {
            const outs = this.forward(xi);
            for (const out of outs) kept.push(tf.keep(out));
            const { score, classTensor } = this.classScore(this.logits(outs, xi), saliency.classIndex);
            cls = tf.keep(classTensor);
            kept.push(cls);
            return score;
          })(x);
          outputs = kept.slice(0, this.layers.length);
          extra.push(grad, cls!);
        } else {
          // Grad-CAM: the gradient with respect to the last Conv2D's output. The multi-output graph runs the
          // forward pass; the layers after the Conv2D run again from its output, under the tape.
          outputs = this.forward(x);
          const k = this.lastConv!;
          let cls: tf.Tensor | null = null;
          const { grad } = tf.valueAndGrad((a: tf.Tensor) => {
            const outs = [a];
            for (let i = k + 1; i < this.layers.length; i++)
              outs.push(this.layers[i].apply(outs[outs.length - 1], { training: false }) as tf.Tensor);
            const { score, classTensor } = this.classScore(this.logits(outs, a), saliency.classIndex);
            cls = tf.keep(classTensor);
            kept.push(cls);
            return score;
          })(outputs[k]);
          extra.push(grad, cls!);
        }
        return [...outputs, ...extra];
      });
      // Read after the tidy, not inside it: tf.tidy walks what its function returns, and walks a typed array
      // index by index (a returned 37,610-value read-back cost 8 ms on native, more than the forward pass). One
      // read per tensor; copies, so no answer shares a backend's own buffer.
      return this.read(
        tensors.map((t) => new Float32Array(t.dataSync())),
        input,
        saliency,
      );
    } finally {
      tf.dispose(tensors);
      tf.dispose(kept);
    }
  }

  /** Every layer's output for `x`, in order. */
  private forward(x: tf.Tensor): tf.Tensor[] {
    const out = this.graph.apply(x, { training: false });
    return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
  }

  /**
   * The class scores saliency differentiates: `outs` ends with the last layer's output, and holds the output of
   * the layer before it (else that layer's input is `before`).
   *
   * The score is the pre-softmax logit, as Simonyan et al. and Grad-CAM use: a probability's gradient vanishes
   * once the network is sure (softmax saturates near 1, so a confident digit's map would be noise), and it rises
   * just as much when the evidence for the *other* classes falls, so it does not show what speaks for this class.
   * The logit is the last Dense's own kernel and bias applied to its input. A design that ended in anything but a
   * softmax Dense (the spec validator refuses those) would differentiate the log-probability, the logit up to a
   * term shared by all classes.
   */
  private logits(outs: tf.Tensor[], before: tf.Tensor): tf.Tensor {
    const probabilities = outs[outs.length - 1];
    if (!this.softmaxDense) return tf.log(tf.add(probabilities, 1e-12));
    const input = outs.length >= 2 ? outs[outs.length - 2] : before;
    const [kernel, bias] = this.layers[this.layers.length - 1].getWeights();
    const product = tf.matMul(tf.reshape(input, [1, -1]), kernel);
    return bias ? tf.add(product, bias) : product;
  }

  /** The score of `classIndex`, or of the highest logit's class; and that class as a tensor. */
  private classScore(logits: tf.Tensor, classIndex: number | undefined): { score: tf.Scalar; classTensor: tf.Tensor } {
    const classTensor = classIndex === undefined ? tf.argMax(logits, 1) : tf.tensor1d([classIndex], 'int32');
    const mask = tf.cast(tf.oneHot(classTensor, this.numClasses), 'float32');
    return { score: tf.sum(tf.mul(logits, mask)), classTensor };
  }

  /** The read-back: the layers' outputs, then (with saliency) the gradient and the class; makes the map. */
  private read(tensors: Float32Array[], input: Float32Array, request: SaliencyRequest | null): InspectorResult {
    const layers: LayerActivation[] = this.shapes.map((shape, index) => {
      const values = tensors[index];
      return { index, type: this.types[index], shape: [...shape], values, ...summarize(values) };
    });
    const probabilities = Array.from(layers[layers.length - 1].values);
    // As predict:strokes reads it: the first of the most probable classes.
    const predicted = probabilities.indexOf(Math.max(...probabilities));
    if (request === null) return { layers, probabilities, predicted, saliency: null };
    const [height, width] = this.inputShape;
    const [gradient, classTensor] = tensors.slice(this.layers.length);
    let map: Float32Array;
    let layerIndex: number | null = null;
    if (request.method === 'gradient-input') {
      map = gradientTimesInput(gradient, input, this.inputShape);
    } else {
      layerIndex = this.lastConv!;
      const shape = this.shapes[layerIndex];
      map = gradCam(layers[layerIndex].values, gradient, shape, [height, width]);
    }
    const classIndex = classTensor[0];
    return {
      layers,
      probabilities,
      predicted,
      saliency: { method: request.method, classIndex, map, layerIndex, top: topPixels(map, width) },
    };
  }

  /**
   * Forgets the graph. Its layers and weights are the model's (the cache disposes the model right after), so the
   * graph itself is not disposed: a LayersModel's dispose would dispose those shared layers under the model.
   */
  dispose(): void {
    this.disposed = true;
  }
}
