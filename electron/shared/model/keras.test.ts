import { describe, expect, it } from 'vitest';
import { getTemplate, type LayerSpec, type ModelSpec } from './index.ts';
import { toKerasCode } from './keras.ts';

const spec = (layers: LayerSpec[], name = 'net'): ModelSpec => ({ name, inputShape: [28, 28, 1], layers });
/** The lines between "Sequential([" and "], name=…)": the Input, then one per layer. */
const layerLines = (code: string) => {
  const lines = code.split('\n');
  return lines.slice(
    lines.indexOf('model = models.Sequential([') + 1,
    lines.findIndex((l) => l.startsWith('], name=')),
  );
};
/** The one layer's call, without the indent and trailing comma. */
const layerCall = (layer: LayerSpec) =>
  layerLines(toKerasCode(spec([layer]), null))[1]
    .trim()
    .replace(/,$/, '');

/** Every (, [ and { closed by its partner, in order. */
function bracketsBalance(code: string): boolean {
  const open: string[] = [];
  const partner: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const c of code) {
    if ('([{'.includes(c)) open.push(c);
    else if (c in partner && open.pop() !== partner[c]) return false;
  }
  return open.length === 0;
}

describe('toKerasCode', () => {
  it('writes the seed template as the TensorFlow tutorial writes it', () => {
    expect(layerLines(toKerasCode(getTemplate('seed'), 93_322))).toEqual([
      '    layers.Input(shape=(28, 28, 1)),',
      "    layers.Conv2D(32, (3, 3), activation='relu'),",
      '    layers.MaxPooling2D((2, 2)),',
      "    layers.Conv2D(64, (3, 3), activation='relu'),",
      '    layers.MaxPooling2D((2, 2)),',
      "    layers.Conv2D(64, (3, 3), activation='relu'),",
      '    layers.Flatten(),',
      "    layers.Dense(64, activation='relu'),",
      "    layers.Dense(10, activation='softmax'),",
    ]);
  });

  it('has one layer line per spec layer, in order, for every template', () => {
    for (const name of ['seed', 'seed-augmented', 'lenet5', 'mlp']) {
      const template = getTemplate(name);
      const lines = layerLines(toKerasCode(template, null)).slice(1);
      expect(lines.map((l) => l.match(/^ {4}layers\.(\w+)\(/)?.[1])).toEqual(template.layers.map((l) => l.type));
    }
  });

  it('is a complete script: imports, the model, compile and summary', () => {
    const code = toKerasCode(getTemplate('seed'), 93_322);
    const lines = code.split('\n');
    expect(lines[0]).toBe('from tensorflow.keras import layers, models');
    expect(lines).toContain("], name='seed')");
    expect(lines).toContain(
      "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])",
    );
    expect(lines).toContain('model.summary()  # 93,322 parameters');
    expect(code.endsWith('\n')).toBe(true);
  });

  it('leaves the parameter count out when it is not known', () => {
    expect(toKerasCode(getTemplate('seed'), null).split('\n')).toContain('model.summary()');
  });

  it('looks like valid Python: balanced brackets, quoted strings, no JavaScript literals', () => {
    const code = toKerasCode(getTemplate('lenet5'), 61_706);
    expect(bracketsBalance(code.replace(/'(?:\\.|[^'\\])*'/g, "''"))).toBe(true);
    expect(code).not.toMatch(/\b(undefined|null|true|false|NaN)\b/);
    for (const line of layerLines(code)) expect(line).toMatch(/^ {4}layers\.\w+\(.*\),$/);
  });

  it('writes the input shape from the spec', () => {
    const code = toKerasCode({ name: 'rgb', inputShape: [32, 24, 3], layers: [{ type: 'Flatten' }] }, null);
    expect(layerLines(code)[0]).toBe('    layers.Input(shape=(32, 24, 3)),');
  });

  it('quotes the model name as a Python string, escaping what needs it', () => {
    expect(toKerasCode(spec([], "it's a \\ test\nnet"), null)).toContain("], name='it\\'s a \\\\ test\\nnet')");
  });

  describe('Conv2D', () => {
    it('writes filters and kernel positionally, as pairs', () => {
      expect(layerCall({ type: 'Conv2D', filters: 16, kernelSize: [3, 5] })).toBe('layers.Conv2D(16, (3, 5))');
    });

    it('writes only the settings that differ from the defaults', () => {
      expect(
        layerCall({
          type: 'Conv2D',
          filters: 8,
          kernelSize: 3,
          strides: 1,
          padding: 'valid',
          activation: 'linear',
          useBias: true,
        }),
      ).toBe('layers.Conv2D(8, (3, 3))');
    });

    it('writes strides, same padding, activation and use_bias=False', () => {
      expect(
        layerCall({
          type: 'Conv2D',
          filters: 8,
          kernelSize: 3,
          strides: [2, 1],
          padding: 'same',
          activation: 'tanh',
          useBias: false,
        }),
      ).toBe("layers.Conv2D(8, (3, 3), strides=(2, 1), padding='same', activation='tanh', use_bias=False)");
    });
  });

  describe('pooling', () => {
    it('writes the pool size, and strides only when they differ from it (Keras defaults strides to the pool size)', () => {
      expect(layerCall({ type: 'MaxPooling2D', poolSize: 3, strides: 3 })).toBe('layers.MaxPooling2D((3, 3))');
      expect(layerCall({ type: 'MaxPooling2D', poolSize: 3, strides: 2 })).toBe(
        'layers.MaxPooling2D((3, 3), strides=(2, 2))',
      );
      expect(layerCall({ type: 'AveragePooling2D', poolSize: [2, 1], padding: 'same' })).toBe(
        "layers.AveragePooling2D((2, 1), padding='same')",
      );
    });

    it('falls back to a 2×2 pool when the size is not set', () => {
      expect(layerCall({ type: 'MaxPooling2D' })).toBe('layers.MaxPooling2D((2, 2))');
    });
  });

  it('writes Dropout with its rate', () => {
    expect(layerCall({ type: 'Dropout', rate: 0.25 })).toBe('layers.Dropout(0.25)');
  });

  it('writes BatchNormalization bare at the defaults, otherwise with its momentum and epsilon', () => {
    expect(layerCall({ type: 'BatchNormalization', momentum: 0.99, epsilon: 0.001 })).toBe(
      'layers.BatchNormalization()',
    );
    expect(layerCall({ type: 'BatchNormalization', momentum: 0.9, epsilon: 0.00001 })).toBe(
      'layers.BatchNormalization(momentum=0.9, epsilon=0.00001)',
    );
  });

  it('writes Dense with units, a non-linear activation and use_bias=False', () => {
    expect(layerCall({ type: 'Dense', units: 10 })).toBe('layers.Dense(10)');
    expect(layerCall({ type: 'Dense', units: 10, activation: 'linear' })).toBe('layers.Dense(10)');
    expect(layerCall({ type: 'Dense', units: 128, activation: 'sigmoid', useBias: false })).toBe(
      "layers.Dense(128, activation='sigmoid', use_bias=False)",
    );
  });

  it('writes Flatten without arguments', () => {
    expect(layerCall({ type: 'Flatten' })).toBe('layers.Flatten()');
  });
});
