import { describe, expect, it } from 'vitest';
import { baseName, classifyDrop, specFileTitle, type DroppedItem } from './drop.ts';

const item = (name: string, path: string, isDirectory: boolean | null): DroppedItem => ({ name, path, isDirectory });

describe('classifyDrop', () => {
  it('opens a .json file in Design, whatever the case of its extension', () => {
    expect(classifyDrop([item('net.json', '/home/me/net.json', false)])).toEqual({
      kind: 'spec',
      path: '/home/me/net.json',
    });
    expect(classifyDrop([item('NET.JSON', 'C:\\specs\\NET.JSON', null)])).toEqual({
      kind: 'spec',
      path: 'C:\\specs\\NET.JSON',
    });
  });

  it('imports a folder as an IDX dataset, even one named like a file', () => {
    expect(classifyDrop([item('mnist', '/data/mnist', true)])).toEqual({ kind: 'dataset', dir: '/data/mnist' });
    expect(classifyDrop([item('odd.json', '/data/odd.json', true)])).toEqual({
      kind: 'dataset',
      dir: '/data/odd.json',
    });
  });

  it('tries an item of unknown kind as a folder (the engine names what is wrong with it)', () => {
    expect(classifyDrop([item('fashion', '/data/fashion', null)])).toEqual({ kind: 'dataset', dir: '/data/fashion' });
  });

  it('refuses a file that is not JSON, naming it', () => {
    const action = classifyDrop([item('digit.png', '/tmp/digit.png', false)]);
    expect(action).toEqual({
      kind: 'refused',
      reason:
        '“digit.png” is not a spec JSON file (.json) or a folder of IDX files. Drop a spec JSON to open it in Design, or an IDX folder to import it.',
    });
  });

  it('refuses several items at once, and nothing at all', () => {
    const two = classifyDrop([item('a.json', '/a.json', false), item('b.json', '/b.json', false)]);
    expect(two).toEqual({
      kind: 'refused',
      reason: '2 items were dropped: drop one spec JSON file or one IDX folder at a time.',
    });
    expect(classifyDrop([])).toMatchObject({ kind: 'refused' });
  });

  it('refuses an item without a path, pointing at the menu command that asks for one', () => {
    expect(classifyDrop([item('net.json', '', null)])).toEqual({
      kind: 'refused',
      reason: 'Layerlab cannot tell where “net.json” is on disk; use File › Open Spec File… instead.',
    });
    expect(classifyDrop([item('mnist', '', true)])).toMatchObject({
      reason: expect.stringContaining('File › Import IDX Dataset…'),
    });
  });
});

describe('names from paths', () => {
  it('takes the last part of POSIX and Windows paths', () => {
    expect(baseName('/home/me/net.json')).toBe('net.json');
    expect(baseName('C:\\specs\\net.json')).toBe('net.json');
    expect(baseName('/data/mnist/')).toBe('mnist');
  });

  it('titles a spec file without its extension', () => {
    expect(specFileTitle('/home/me/my-net.json')).toBe('my-net');
    expect(specFileTitle('/x/.json')).toBe('.json');
  });
});
