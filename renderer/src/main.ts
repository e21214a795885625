import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { connectClient, installClient } from './api';
import App from './App.vue';
import { createMdlabI18n } from './i18n';
import { usePreferencesStore } from './stores/preferences';
import './styles/theme.css';

installClient(connectClient());
const pinia = createPinia();
const app = createApp(App).use(pinia);
app.use(createMdlabI18n(usePreferencesStore(pinia).locale));
app.mount('#app');
