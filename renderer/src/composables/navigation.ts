import { ref } from 'vue';

/** Which panel the shell shows; shared so a panel can send the user on (wizard -> array view). */
// The array view first: with no array open it is the welcome screen leading to New, Open and the labs.
const activeId = ref<string>('array');

export function useNavigation() {
  return {
    activeId,
    go(id: string): void {
      activeId.value = id;
    },
  };
}
