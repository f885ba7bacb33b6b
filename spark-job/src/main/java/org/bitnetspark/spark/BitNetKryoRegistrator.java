package org.bitnetspark.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.bitnetspark.spark.metrics.ExecutorStats;
import org.bitnetspark.spark.metrics.RankStats;
import org.bitnetspark.spark.model.ModelRef;

/**
 * Every class of ours (and the few of Spark's it leaves out) that may cross the wire through Kryo, registered in one place, so jobs run with
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
    kryo.register(RankStats.class, new JavaSerializer());
    kryo.register(byte[][].class);
    // Schema inference of JSON and Parquet inputs (the evaluate job's arrays and booleans) sends data
    // types back from tasks; Spark registers StructType but not every type. Java serialization keeps the
    // Scala singletons singletons (pattern matches compare them by reference).
    for (DataType t : new DataType[] {DataTypes.BooleanType, DataTypes.ByteType, DataTypes.ShortType,
        DataTypes.IntegerType, DataTypes.LongType, DataTypes.FloatType, DataTypes.DoubleType, DataTypes.StringType,
        DataTypes.BinaryType, DataTypes.DateType, DataTypes.TimestampType, DataTypes.NullType,
        DataTypes.createArrayType(DataTypes.StringType), DataTypes.createMapType(DataTypes.StringType,
        DataTypes.StringType), DataTypes.createDecimalType()}) {
      kryo.register(t.getClass(), new JavaSerializer());
    }
    // Spark 3.5 ships a query without FROM (SELECT bitnet_tokenize('...')) as a one-row parallel
    // collection, serialised with the configured serializer
    kryo.register(org.apache.spark.sql.catalyst.expressions.GenericInternalRow.class);
  }
}
