import type { Command } from 'commander';
import { withChronicle } from '../context.js';
import { writeLine } from '../output.js';

/**
 * `chronicle migrate`: applies pending migrations (collections and indexes) under the migration
 * lock and prints each applied id on stdout, or that the database was up to date.
 */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending migrations (collections and indexes) and print what was applied')
    .action(async (_opts: object, command: Command) => {
      await withChronicle(command, async (chronicle, ctx) => {
        const { applied } = await chronicle.migrate();
        if (applied.length === 0) await writeLine(`database "${ctx.config.dbName}" is up to date`);
        for (const id of applied) await writeLine(`applied ${id}`);
      });
    });
}
