import type { Command } from 'commander';
import { registerConsortiumCommands } from './consortium.js';
import { registerBackupCommands } from './backup.js';
import { registerMasterKeyCommands } from './master-key.js';

/**
 * Every group of edu-admin commands: a function that adds its commands to the program. A new group
 * is one module in this folder and one line here.
 */
export type RegisterCommands = (program: Command) => void;

export const ADMIN_COMMANDS: readonly RegisterCommands[] = [
  registerConsortiumCommands,
  registerBackupCommands,
  registerMasterKeyCommands,
];
