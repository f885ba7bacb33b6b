package org.bitnetspark.spark.sql;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.connector.catalog.functions.ScalarFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.model.ExecutorModelCache;

/** {@code bitnet_tokenize(text)}: the model's token ids for the text (with BOS if the model adds one). */
final class TokenizeFunction implements ScalarFunction<ArrayData> {
  private static final long serialVersionUID = 1L;
  private final JobSettings settings;

  TokenizeFunction(JobSettings settings) {
    this.settings = settings;
  }

  @Override
  public DataType[] inputTypes() {
    return new DataType[] {DataTypes.StringType};
  }

  @Override
  public DataType resultType() {
    return DataTypes.createArrayType(DataTypes.IntegerType, false);
  }

  @Override
  public String name() {
    return "bitnet_tokenize";
  }

  @Override
  public ArrayData produceResult(InternalRow input) {
    if (input.isNullAt(0)) return null;
    int[] ids = ExecutorModelCache.get(settings.model()).model().tokenizer()
        .encode(input.getUTF8String(0).toString(), true, false);
    return new GenericArrayData(ids);
  }
}
