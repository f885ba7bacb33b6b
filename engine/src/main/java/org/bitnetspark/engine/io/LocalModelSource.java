package org.bitnetspark.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A local model file, memory-mapped slice by slice: tensor data stays in the page cache and is
 * never copied to the heap, and files over 2 GiB work because each slice is mapped on its own.
 */
public final class LocalModelSource implements ModelSource {
  private final Path path;
  private final FileChannel channel;
  private final long size;

  public LocalModelSource(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
    this.size = channel.size();
  }

  @Override
  public String uri() {
    return path.toString();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public ByteBuffer slice(long offset, int length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new IllegalArgumentException(
          "slice [" + offset + ", " + (offset + length) + ") is outside " + path + " (" + size + " bytes)");
    }
    // a mapping stays valid after the channel is closed, so callers may keep slices
    return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
