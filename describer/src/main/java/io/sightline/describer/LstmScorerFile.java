package io.sightline.describer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The payload of an {@link LstmEntityScorer}'s checksummed model file (kind
 * {@link LstmEntityScorer#KIND}, layout {@link LstmEntityScorer#FORMAT}): the feature schema, the
 * parameters, the default threshold, the standardisation and the network's weights.
 */
final class LstmScorerFile {
  private LstmScorerFile() {}

  /**
   * A payload as read, not yet checked against the architecture.
   *
   * @param schema the feature schema
   * @param params the parameters
   * @param threshold the default threshold
   * @param mean feature means
   * @param std feature standard deviations
   * @param weights the network's parameters as saved by {@link LstmNetwork#parameterBytes}
   */
  record Contents(FeatureSchema schema, LstmEntityScorer.Params params, double threshold, float[] mean, float[] std,
      byte[] weights) {}

  static void write(DataOutputStream out, FeatureSchema schema, LstmEntityScorer.Params params, double threshold,
      float[] mean, float[] std, byte[] weights) throws IOException {
    schema.write(out);
    out.writeInt(params.hiddenSize());
    out.writeInt(params.epochs());
    out.writeInt(params.batchSize());
    out.writeFloat(params.learningRate());
    out.writeInt(params.maxLength());
    out.writeDouble(params.validationShare());
    out.writeInt(params.patience());
    out.writeLong(params.seed());
    out.writeDouble(params.positiveWeight());
    out.writeDouble(params.threshold());
    out.writeDouble(threshold);
    for (int j = 0; j < schema.size(); j++) {
      out.writeFloat(mean[j]);
      out.writeFloat(std[j]);
    }
    out.writeInt(weights.length);
    out.write(weights);
  }

  static Contents read(DataInputStream in) throws IOException {
    FeatureSchema schema = FeatureSchema.read(in);
    int n = schema.size();
    LstmEntityScorer.Params p = new LstmEntityScorer.Params(in.readInt(), in.readInt(), in.readInt(), in.readFloat(),
        in.readInt(), in.readDouble(), in.readInt(), in.readLong(), in.readDouble(), in.readDouble());
    double chosen = in.readDouble();
    if (!(chosen >= 0 && chosen <= 1)) {
      throw new IOException("bad threshold " + chosen);
    }
    float[] mean = new float[n];
    float[] std = new float[n];
    for (int j = 0; j < n; j++) {
      mean[j] = in.readFloat();
      std[j] = in.readFloat();
    }
    byte[] w = FeatureSchema.readBlock(in, 1 << 28);
    return new Contents(schema, p, chosen, mean, std, w);
  }
}
