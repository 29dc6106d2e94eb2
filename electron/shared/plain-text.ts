// Text a user typed, made safe to store and to print in a terminal: terminal escape sequences (colours, cursor
// moves, window titles) and control characters (C0, DEL, C1) are removed. Names and tags also lose their line
// breaks and tabs, to a space, so a name stays on its one line of a table.
/* eslint-disable no-control-regex -- matching control characters is what this module is for */

/** CSI (ESC [ … or the one-byte C1 CSI), OSC (ESC ] … BEL or ESC \), and two-character ESC sequences. */
const ESCAPE_SEQUENCE =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]/g;
const LINE_BREAK = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Controls other than tab and newline. */
const CONTROL_BUT_TAB_AND_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** For names and tags: escape sequences and control characters removed, line breaks and tabs made spaces. */
export function singleLine(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(LINE_BREAK, ' ').replace(CONTROL, '');
}

/** For notes and messages: escape sequences and control characters removed, line breaks and tabs kept. */
export function printable(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/\r\n?|[\u0085\u2028\u2029]/g, '\n')
    .replace(CONTROL_BUT_TAB_AND_NEWLINE, '');
}
