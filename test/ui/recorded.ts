/** The engine recording the component tests render (made by test/ui/record.ts), validated against the contract on load. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ArraySnapshotSchema, ImageUsageSchema, TraceEntrySchema } from '../../core/api';
import type { Recording } from './record';

const RecordingSchema = z.object({
  recordedWith: z.string(),
  stages: z.object({
    initialRecovery: ArraySnapshotSchema,
    clean: ArraySnapshotSchema,
    rebuilding: ArraySnapshotSchema,
    rebuilt: ArraySnapshotSchema,
    removed: ArraySnapshotSchema,
  }),
  images: z.array(ImageUsageSchema),
  trace: z.array(TraceEntrySchema),
  logs: z.array(z.string()),
});

export function loadRecording(): Recording {
  const raw = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', 'recorded.json'), 'utf8'));
  return RecordingSchema.parse(raw);
}
