import { defineStore } from 'pinia';
import { reactive, ref, watch } from 'vue';
import { useClient, type ApiError, type CreateChoices, type CreatePlanInfo, type LayoutPreview } from '../api';
import { toApiError } from './errors';
import { useLogStore } from './log';
import { useSessionStore } from './session';

const MiB = 1024 * 1024;
/** Rows drawn in the layout picture: enough for two full parity rotations of a small array. */
const PREVIEW_ROWS_MAX = 12;

export function defaultChoices(): CreateChoices {
  return {
    level: 5,
    raidDevices: 4,
    spareDevices: 1,
    layout: 2,
    chunkKib: 512,
    memberBytes: 256 * MiB,
    bitmap: 'auto',
    assumeClean: false,
    metadata: '1.2',
    name: 'lab',
  };
}

/**
 * The creation wizard's state. Every check is the engine's: each change asks array.plan (mdadm's
 * planner) and layout.preview (core/format/layout.ts), and shows md's own refusal when there is one.
 */
export const useWizardStore = defineStore('wizard', () => {
  const client = useClient();
  const choices = reactive<CreateChoices>(defaultChoices());
  const id = ref('md0');
  const plan = ref<CreatePlanInfo | null>(null);
  const planError = ref<ApiError | null>(null);
  const preview = ref<LayoutPreview | null>(null);
  const previewError = ref<ApiError | null>(null);
  const creating = ref(false);
  const createError = ref<ApiError | null>(null);
  // Replies can overtake each other; only the newest question's answer is shown.
  let generation = 0;

  async function check(): Promise<void> {
    const asked = ++generation;
    const snapshot: CreateChoices = { ...choices };
    const rows = Math.min(PREVIEW_ROWS_MAX, Math.max(2, snapshot.raidDevices * 2));
    const [planReply, previewReply] = await Promise.allSettled([
      client.call('array.plan', snapshot),
      client.call('layout.preview', {
        level: snapshot.level, raidDisks: snapshot.raidDevices, layout: snapshot.layout, chunkKib: snapshot.chunkKib, rows,
      }),
    ]);
    if (asked !== generation) return;
    plan.value = planReply.status === 'fulfilled' ? planReply.value : null;
    planError.value = planReply.status === 'rejected' ? toApiError(planReply.reason) : null;
    preview.value = previewReply.status === 'fulfilled' ? previewReply.value : null;
    previewError.value = previewReply.status === 'rejected' ? toApiError(previewReply.reason) : null;
  }

  /** mdadm --create into a new session (a native dialog chooses its folder; the browser lab files it under the id). */
  async function create(): Promise<boolean> {
    creating.value = true;
    createError.value = null;
    const sessions = useSessionStore();
    try {
      const created = await sessions.create(id.value, { ...choices });
      if (created) useLogStore().add({ timeMs: Date.now(), level: 'info', source: 'ui', message: `${commandLine()}: created and started` });
      else if (sessions.error) {
        createError.value = sessions.error;
        useLogStore().add({ timeMs: Date.now(), level: 'warn', source: 'ui', message: `${commandLine()}: ${createError.value.message}` });
      }
      return created;
    } finally {
      creating.value = false;
    }
  }

  /** The mdadm command these choices amount to, for the event log. */
  function commandLine(): string {
    const c = choices;
    const layout = c.level === 5 ? ` --layout=${c.layout}` : '';
    const bitmap = c.bitmap === 'auto' ? '' : ` --bitmap=${c.bitmap}`;
    const clean = c.assumeClean ? ' --assume-clean' : '';
    return `mdadm --create ${id.value} --level=${c.level} --raid-devices=${c.raidDevices} --spare-devices=${c.spareDevices} --chunk=${c.chunkKib}${layout}${bitmap}${clean} --name=${c.name}`;
  }

  function reset(): void {
    Object.assign(choices, defaultChoices());
  }

  watch(choices, () => void check(), { deep: true });

  return { choices, id, plan, planError, preview, previewError, creating, createError, check, create, reset };
});
