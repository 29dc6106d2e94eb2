// inspect:model on the backend the tests use by default, the pure-JS cpu backend (test/helpers/inspect-suite.ts).
import { inspectSuite } from './helpers/inspect-suite.ts';

inspectSuite('cpu', null);
