package org.bitnetspark.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.bitnetspark.spark.metrics.ExecutorStats;
import org.bitnetspark.spark.model.ModelRef;

/**
 * Every class of ours that may cross the wire through Kryo, registered in one place, so jobs run with
 * {@code spark.kryo.registrationRequired=true}. (Model bytes travel as plain {@code byte[]} broadcast
 * chunks, which Spark registers itself.)
 */
public final class BitNetKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    // records: Kryo's field serializer cannot set their final fields, Java serialization can
    kryo.register(ExecutorStats.class, new JavaSerializer());
    kryo.register(ModelRef.class, new JavaSerializer());
    kryo.register(ExecutorStats[].class);
    kryo.register(byte[][].class);
  }
}
