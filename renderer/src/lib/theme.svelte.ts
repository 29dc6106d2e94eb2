// Light and dark themes follow the OS (prefers-color-scheme); the menu can override for the session.
const query = window.matchMedia('(prefers-color-scheme: dark)');

class Theme {
  system = $state(query.matches);
  override = $state<'light' | 'dark' | null>(null);
  dark = $derived(this.override ? this.override === 'dark' : this.system);

  constructor() {
    query.addEventListener('change', (e) => (this.system = e.matches));
  }

  toggle(): void {
    this.override = this.dark ? 'light' : 'dark';
  }
}

export const theme = new Theme();
