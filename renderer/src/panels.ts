import type { Component } from 'vue';
import EngineInfoPanel from './components/EngineInfoPanel.vue';
import ArrayPanel from './components/array/ArrayPanel.vue';
import DataPanel from './components/data/DataPanel.vue';
import FailurePanel from './components/failure/FailurePanel.vue';
import LabsPanel from './components/labs/LabsPanel.vue';
import EventLog from './components/log/EventLog.vue';
import MonitorPanel from './components/monitor/MonitorPanel.vue';
import SessionsPanel from './components/session/SessionsPanel.vue';
import TracePanel from './components/trace/TracePanel.vue';
import CreatePanel from './components/wizard/CreatePanel.vue';

/**
 * The shell's panels, in navigation order. A new panel (wizard, array view, monitor, trace...) is
 * one component under components/ and one entry here; App.vue needs no change.
 */
export interface PanelEntry {
  id: string;
  /** i18n key of the navigation label. */
  titleKey: string;
  component: Component;
}

export const panels: readonly PanelEntry[] = [
  { id: 'array', titleKey: 'panels.array', component: ArrayPanel },
  { id: 'create', titleKey: 'panels.create', component: CreatePanel },
  { id: 'sessions', titleKey: 'session.nav', component: SessionsPanel },
  { id: 'labs', titleKey: 'labs.nav', component: LabsPanel },
  { id: 'failure', titleKey: 'panels.failure', component: FailurePanel },
  { id: 'monitor', titleKey: 'panels.monitor', component: MonitorPanel },
  { id: 'trace', titleKey: 'panels.trace', component: TracePanel },
  { id: 'data', titleKey: 'panels.data', component: DataPanel },
  { id: 'log', titleKey: 'panels.log', component: EventLog },
  { id: 'engine', titleKey: 'panels.engine', component: EngineInfoPanel },
];
