// A spec JSON file opened in the Design screen (File › Open Spec File…, or dropped on the window): read as the
// CLI reads --spec (files.ts: at most 1 MB, UTF-8 with or without a byte-order mark, JSON) and checked as a
// saved design is (designs.ts): a spec that trains, or an unfinished one the editor can go on with. Anything
// else is refused with the file's path and the reason, before the page replaces anything.
import { SPEC_LIMITS, type SpecFile } from '#shared/contract.ts';
import { analyzeSpec, type ModelSpec } from '#shared/model/index.ts';
import { jsonProblem, pathText } from '#shared/request-checks.ts';
import { MAX_SPEC_FILE_BYTES, readJsonFile } from '../files.ts';
import { checkSpec } from '../store/validate.ts';
import { unfinishedDesignIssue } from './designs.ts';

export class SpecFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: is not a Layerlab spec: ${reason}`);
    this.name = 'SpecFileError';
  }
}

/** The spec in `file`, as written; a FileReadError or SpecFileError names the file and what is wrong. */
export function readDesignSpecFile(file: string): SpecFile {
  const value = readJsonFile(file, MAX_SPEC_FILE_BYTES);
  // What the page sends back (designs:save, training:start) must pass the IPC schemas' bounds.
  const problem = jsonProblem(value, SPEC_LIMITS);
  if (problem)
    throw new SpecFileError(
      file,
      problem.path.length ? `${pathText(problem.path)}: ${problem.message}` : problem.message,
    );
  if (!analyzeSpec(value).ok) {
    const issue = unfinishedDesignIssue(value);
    if (issue) throw new SpecFileError(file, issue.message);
  }
  try {
    // Name, input shape and a list of layer objects: what the store and the editor rely on.
    checkSpec(value);
  } catch (err) {
    throw new SpecFileError(file, (err as Error).message);
  }
  return { file, spec: value as ModelSpec };
}
