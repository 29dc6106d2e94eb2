// Terminal progress for training: a live bar on a TTY, one line per epoch otherwise (CI logs stay readable).
import cliProgress from 'cli-progress';
import type { RunEvent } from '#shared/types.ts';
import { duration, pct } from './format.ts';
import { formatRate } from '../train/schedule.ts';

export function createProgressReporter(out: NodeJS.WriteStream) {
  const live = Boolean(out.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  const line = (text: string) => out.write(`${text}\n`);
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  const onEvent = (event: RunEvent) => {
    switch (event.type) {
      case 'started':
        line(
          `run ${event.runId}: ${event.trainCount} training / ${event.validationCount} validation images, ${event.batchesPerEpoch} batches per epoch, epochs ${event.fromEpoch + 1}-${event.epochs}`,
        );
        line(`backend: ${event.backend.kind} — ${event.backend.device} (${event.backend.reason})`);
        break;
      case 'batch': {
        const p = event.progress;
        if (!live) break;
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream: out,
              format:
                'epoch {epoch}/{epochs} {bar} {value}/{total} | loss {loss} acc {acc} | {rate} samples/s | ETA {eta_text}',
              hideCursor: true,
              barsize: 24,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.batchesPerEpoch, 0);
        }
        bar.update(p.batch + 1, {
          epoch: p.epoch + 1,
          epochs: p.epochs,
          loss: p.loss.toFixed(4),
          acc: pct(p.accuracy, 1),
          rate: Math.round(p.samplesPerSecond),
          eta_text: duration(p.etaSeconds * 1000),
        });
        break;
      }
      case 'epoch': {
        stopBar();
        const m = event.metric;
        line(
          `epoch ${m.epoch + 1}: loss ${m.loss.toFixed(4)} acc ${pct(m.accuracy)} | val loss ${m.valLoss?.toFixed(4) ?? '-'} val acc ${pct(m.valAccuracy)} | lr ${m.learningRate === null ? '-' : formatRate(m.learningRate)} | ${Math.round(m.samplesPerSecond)} samples/s | ${duration(m.durationMs)}`,
        );
        if (m.note) line(`  ${m.note}`);
        break;
      }
      case 'evaluating':
        line('evaluating on the test set…');
        break;
      case 'evaluation':
        line(
          `test: loss ${event.result.testLoss.toFixed(4)} accuracy ${pct(event.result.testAccuracy)} (${event.result.count} images)`,
        );
        break;
      case 'finished':
        stopBar();
        break;
    }
  };
  return { onEvent, close: stopBar };
}
