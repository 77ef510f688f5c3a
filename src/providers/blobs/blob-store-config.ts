import { join } from 'node:path';
import { FsBlobStore, type BlobStore } from './blob-store.ts';
import { temporaryDir } from './temporary-dir.ts';
import { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.ts';

export interface BlobConfig {
  dataDir: string;
  memory: boolean;
  blobS3: S3BlobStoreOptions | null;
}

/**
 * S3 when PARLEY_BLOB_S3_BUCKET is set, else files under `<PARLEY_DATA_DIR>/blobs` (a fresh temp
 * directory with --memory, so nothing is left behind in the working directory).
 */
export function blobStoreFromConfig(config: BlobConfig): BlobStore {
  if (config.blobS3) return new S3BlobStore(config.blobS3);
  if (config.memory) return new FsBlobStore(temporaryDir('parley-blobs'));
  return new FsBlobStore(join(config.dataDir, 'blobs'));
}
