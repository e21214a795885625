import { ref } from 'vue';

/** Which panel the shell shows; shared so a panel can send the user on (wizard -> array view). */
const activeId = ref<string>('engine');

export function useNavigation() {
  return {
    activeId,
    go(id: string): void {
      activeId.value = id;
    },
  };
}
