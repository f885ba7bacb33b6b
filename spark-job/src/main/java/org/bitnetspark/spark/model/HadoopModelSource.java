package org.bitnetspark.spark.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bitnetspark.engine.io.ModelSource;

/**
 * A model on a Hadoop file system, read range by range with positioned reads: checking a header reads
 * a few MiB, not the file, and loading reads each tensor once (ternary tensors are packed and their raw
 * bytes dropped). Positioned reads do not move the stream, so slices may be read from several threads.
 */
final class HadoopModelSource implements ModelSource {
  private final String uri;
  private final FSDataInputStream in;
  private final long size;

  HadoopModelSource(String uri, FileSystem fs, Path path) throws IOException {
    this.uri = uri;
    this.size = fs.getFileStatus(path).getLen();
    this.in = fs.open(path);
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public ByteBuffer slice(long offset, int length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new IllegalArgumentException("slice [" + offset + ", " + (offset + length) + ") is outside " + uri
          + " (" + size + " bytes)");
    }
    byte[] bytes = new byte[length];
    in.readFully(offset, bytes, 0, length);
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
