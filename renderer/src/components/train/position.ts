// Where the progress panel says a run is. Once a session has ended it shows what the store keeps (the epochs
// whose checkpoint was written), not the batch the live events last reached: an interrupted or stopped run
// loses that partial epoch, and resume starts after the stored one.

export interface PositionInput {
  /** The newest batch event of the session, if any. */
  latest: { epoch: number; batch: number } | null;
  /** The session is over (completed, stopped, failed, interrupted) or the run is a stored one. */
  ended: boolean;
  /** Epochs finished and checkpointed, as far as this screen knows. */
  epochsDone: number;
  /** The epoch a resumed session starts at, before its first batch event. */
  fromEpoch: number | null;
}

/** 1-based epoch for "Epoch n / N" and the batch within it (null: no batch to name). */
export function shownPosition({ latest, ended, epochsDone, fromEpoch }: PositionInput): {
  epoch: number;
  batch: number | null;
} {
  if (ended) return { epoch: epochsDone, batch: null };
  if (latest) return { epoch: latest.epoch + 1, batch: latest.batch + 1 };
  return { epoch: (fromEpoch ?? 0) + 1, batch: 0 };
}
