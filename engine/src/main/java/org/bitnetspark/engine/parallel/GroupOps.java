package org.bitnetspark.engine.parallel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.KvCache;

/**
 * The controller's messages to its workers, one frame each. A forward step names each row's token,
 * position, cache and whether it wants logits (13 bytes a row); the activations themselves travel
 * between the ranks that compute them.
 */
final class GroupOps {
  static final byte FORWARD = 1;
  static final byte NEW_CACHE = 2;
  static final byte COPY_PREFIX = 3;
  static final byte RELEASE = 4;
  static final byte STOP = 5;

  private GroupOps() {}

  static byte[] forward(Batch batch, int microBatches) {
    return write(out -> {
      out.writeByte(FORWARD);
      out.writeInt(batch.size());
      out.writeInt(microBatches);
      for (int i = 0; i < batch.size(); i++) {
        out.writeInt(batch.token(i));
        out.writeInt(batch.position(i));
        out.writeInt(batch.cache(i).id());
        out.writeBoolean(batch.wantsLogits(i));
      }
    });
  }

  static byte[] newCache(KvCache cache) {
    return write(out -> {
      out.writeByte(NEW_CACHE);
      out.writeInt(cache.id());
      out.writeByte(cache.type().ordinal());
      out.writeInt(cache.capacity());
    });
  }

  static byte[] copyPrefix(KvCache target, KvCache source, int positions) {
    return write(out -> {
      out.writeByte(COPY_PREFIX);
      out.writeInt(target.id());
      out.writeInt(source.id());
      out.writeInt(positions);
    });
  }

  static byte[] release(KvCache cache) {
    return write(out -> {
      out.writeByte(RELEASE);
      out.writeInt(cache.id());
    });
  }

  static byte[] stop() {
    return new byte[] {STOP};
  }

  static DataInputStream read(byte[] frame) {
    return new DataInputStream(new ByteArrayInputStream(frame));
  }

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      body.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory streams do not fail
    }
    return bytes.toByteArray();
  }
}
