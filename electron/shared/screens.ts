// The app's screens, in the order of the navigation and the View menu (Ctrl/Cmd+key switches to one), and the
// commands the native menu sends the page. Main builds the menu from this list, the renderer its navigation.

export const SCREENS = [
  { id: 'design', label: 'Design', key: '1' },
  { id: 'train', label: 'Train', key: '2' },
  { id: 'runs', label: 'Runs', key: '3' },
  { id: 'compare', label: 'Compare', key: '4' },
  { id: 'evaluate', label: 'Evaluate', key: '5' },
  { id: 'draw', label: 'Draw', key: '6' },
] as const;

export type Screen = (typeof SCREENS)[number]['id'];

/** The File menu's commands for the Design screen: what its New, Open…, Save and Save as… buttons do. */
export const DESIGN_COMMANDS = [
  'design:new',
  'design:open',
  'design:openFile',
  'design:save',
  'design:saveAs',
] as const;
export type DesignCommand = (typeof DESIGN_COMMANDS)[number];

/** Main → page on MENU_COMMAND (channels.ts). */
export type MenuCommand =
  `navigate:${Screen}` | 'theme:toggle' | 'dataset:import' | 'run:export' | 'run:exportTensorboard' | DesignCommand;
