import { relative } from 'node:path';
import type { Command } from 'commander';
import { describeAggregate, fieldsText } from '../../introspection/describeAggregate.js';
import { projectConfig } from '../context.js';
import { formatTable, writeLine } from '../output.js';

/**
 * `chronicle aggregates [--json]`: every configured aggregate (stream type, state schemaVersion)
 * with its commands and events (name, schema version, fields from the zod schemas as JSON
 * Schema), and the configured projections. Needs no database.
 */
export function registerAggregatesCommand(program: Command): void {
  program
    .command('aggregates')
    .description('list the configured aggregates with their commands and events, and the projections (no database needed)')
    .option('--json', 'one JSON document with the fields of every command and event as JSON Schema')
    .action(async (opts: { json?: boolean }) => {
      const { config, file } = projectConfig();
      const aggregates = config.aggregates.map(describeAggregate);
      const projections = (config.projections ?? []).map((p) => ({ name: p.name, ...(p.version !== undefined ? { version: p.version } : {}) }));
      const source = file === null ? null : relative(process.cwd(), file) || file;
      if (opts.json) {
        await writeLine(JSON.stringify({ configFile: source, aggregates, projections }, null, 2));
        return;
      }
      await writeLine(source === null ? '# built-in demo aggregates (no chronicle.config.ts found)' : `# from ${source}`);
      for (const a of aggregates) {
        await writeLine('');
        await writeLine(`${a.type}  state schemaVersion ${a.schemaVersion}, streams "${a.streamIdPattern}"`);
        await writeLine('  commands');
        for (const line of formatTable(['NAME', 'FIELDS'], a.commands.map((c) => [c.name, fieldsText(c.fields)])).slice(1)) await writeLine(`    ${line}`);
        await writeLine('  events');
        for (const line of formatTable(['NAME', 'V', 'FIELDS'], a.events.map((e) => [e.name, `v${e.schemaVersion}`, fieldsText(e.fields)])).slice(1)) await writeLine(`    ${line}`);
      }
      await writeLine('');
      await writeLine(projections.length === 0 ? 'projections: none' : `projections: ${projections.map((p) => (p.version !== undefined ? `${p.name} (v${p.version})` : p.name)).join(', ')}`);
    });
}
