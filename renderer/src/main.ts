import { mount } from 'svelte';
import App from './App.svelte';
import './styles/global.css';
// Shared classes; imported after global.css because they refine its base rules (.panel, button, input).
import './styles/screens.css';
import './styles/forms.css';
import './styles/tables.css';
import './styles/dialogs.css';
import './styles/banners.css';

mount(App, { target: document.getElementById('app')! });
