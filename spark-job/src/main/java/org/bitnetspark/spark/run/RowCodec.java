package org.bitnetspark.spark.run;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;

/**
 * Input rows as bytes for the shuffle into a model-parallel job's groups: the values only (the schema
 * travels once, in the {@link GroupPlan}), Java-serialised so any column type the jobs accept
 * (strings, numbers, arrays, maps, structs) crosses without a Kryo registration per Scala class.
 */
final class RowCodec {
  private RowCodec() {}

  static byte[] encode(Row row) {
    Object[] values = new Object[row.size()];
    for (int i = 0; i < values.length; i++) values[i] = row.get(i);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(values);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialise an input row: " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  static Row decode(byte[] bytes, StructType schema) {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return new GenericRowWithSchema((Object[]) in.readObject(), schema);
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("cannot read back an input row: " + e.getMessage(), e);
    }
  }
}
