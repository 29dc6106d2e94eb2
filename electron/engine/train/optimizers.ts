// Update rules: every backend follows Keras's (TensorFlow's) rules, so an eager tfjs run and a run on a
// TensorFlow graph (ResourceApply* ops) are comparable. tfjs's momentum (accum = momentum*accum + g;
// var -= lr*accum) and rmsprop (ms = rho*ms + (1-rho)*g^2; mom = momentum*mom + lr*g/sqrt(ms+eps);
// var -= mom) already equal ResourceApplyMomentum / ResourceApplyRMSProp; tfjs's adam does not (it puts
// epsilon after the bias correction), so 'adam' uses KerasAdamOptimizer below (= ResourceApplyAdam).
import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters } from '#shared/types.ts';

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
interface OptimizerSlot {
  originalName: string;
  variable: tf.Variable;
}
/** tfjs's AdamOptimizer state; TS-private in its .d.ts, so reached through this narrow cast. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: OptimizerSlot[];
  accumulatedSecondMoment: OptimizerSlot[];
}

/**
 * Adam with Keras's / TensorFlow's update (ResourceApplyAdam) at step t:
 *   m = beta1*m + (1-beta1)*g;  v = beta2*v + (1-beta2)*g^2
 *   var -= lr * sqrt(1-beta2^t)/(1-beta1^t) * m / (sqrt(v) + epsilon)
 * Only applyGradients differs from tf.AdamOptimizer: the state (slots `${name}/m`, `${name}/v`,
 * accBeta1/accBeta2 = beta^t for the current step, iterations), getWeights/setWeights and the class
 * name 'Adam' are tfjs's own, so checkpoints are interchangeable.
 */
export class KerasAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    const state = this as unknown as AdamState;
    const varNames = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    tf.tidy(() => {
      const lrT = tf.div(tf.mul(this.learningRate, tf.sqrt(tf.sub(1, state.accBeta2))), tf.sub(1, state.accBeta1));
      varNames.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (state.accumulatedFirstMoment[i] == null) {
          state.accumulatedFirstMoment[i] = {
            originalName: `${name}/m`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          };
        }
        if (state.accumulatedSecondMoment[i] == null) {
          state.accumulatedSecondMoment[i] = {
            originalName: `${name}/v`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          };
        }
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i].variable;
        const v = state.accumulatedSecondMoment[i].variable;
        const newM = tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1));
        const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
        m.assign(newM);
        v.assign(newV);
        value.assign(tf.sub(value, tf.div(tf.mul(lrT, newM), tf.add(tf.sqrt(newV), this.epsilon))));
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** tfjs's MomentumOptimizer.dispose() skips SGDOptimizer's, leaking its -learningRate scalar (`c`) each run. */
class MomentumOptimizer extends tf.MomentumOptimizer {
  override dispose(): void {
    super.dispose();
    (this as unknown as { c?: tf.Tensor }).c?.dispose();
  }
}

/** Keras-compatible optimizers (adam's epsilon 1e-7 as in Keras, rmsprop's rho 0.9). */
export function createOptimizer(h: Hyperparameters): tf.Optimizer {
  switch (h.optimizer) {
    case 'adam':
      return new KerasAdamOptimizer(h.learningRate, 0.9, 0.999, 1e-7);
    case 'sgd':
      return h.momentum > 0 ? new MomentumOptimizer(h.learningRate, h.momentum) : tf.train.sgd(h.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(h.learningRate, 0.9, h.momentum, 1e-7);
  }
}

/**
 * Sets the rate the optimizer's next step uses (a schedule moves it). Adam and RMSprop read their learningRate field at
 * every step; SGD and momentum keep it as a tensor, which setLearningRate replaces. Unchanged rates cost nothing.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (o.learningRate === learningRate) return;
  if (o.setLearningRate) o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}
