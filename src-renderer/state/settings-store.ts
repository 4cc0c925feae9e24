// The engine's settings as last loaded or saved; the Settings page edits a copy.

import { create } from 'zustand';
import type { Settings } from '../../src-shared/contract.js';

interface SettingsState {
  settings: Settings | null;
  setSettings(settings: Settings): void;
}

export const useSettings = create<SettingsState>()((set) => ({
  settings: null,
  setSettings: (settings) => set({ settings }),
}));
