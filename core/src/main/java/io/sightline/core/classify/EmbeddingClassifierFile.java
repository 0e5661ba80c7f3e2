package io.sightline.core.classify;

import static io.sightline.core.classify.EmbeddingClassifier.FORMAT_VERSION;
import static io.sightline.core.classify.EmbeddingClassifier.KIND;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.store.ChecksummedFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The saved-file format of {@link EmbeddingClassifier} ({@link ChecksummedFile} kind
 * {@value EmbeddingClassifier#KIND}): label count and labels, dimension, standardisation (mean,
 * scale), weights (K x D row-major), biases, then (format version 2) loss, L2, training and
 * validation accuracy and the examples per label. Version 1 files have an iteration count and the
 * loss instead of that summary. Stateless.
 */
final class EmbeddingClassifierFile {
  private EmbeddingClassifierFile() {}

  /** Body of {@link EmbeddingClassifier#save}. */
  static void write(Path path, String embedderId, List<String> labels, int dim, float[] mean, float[] scale,
      float[] weights, float[] bias, double loss, double l2, double trainingAccuracy, double validationAccuracy,
      Map<String, Integer> samples) {
    ChecksummedFile.write(path, new ChecksummedFile.Header(KIND, FORMAT_VERSION, embedderId), out -> {
      out.writeInt(labels.size());
      for (String l : labels) {
        out.writeUTF(l);
      }
      out.writeInt(dim);
      for (float[] arr : new float[][] {mean, scale, weights, bias}) {
        for (float f : arr) {
          out.writeFloat(f);
        }
      }
      out.writeDouble(loss);
      out.writeDouble(l2);
      out.writeDouble(trainingAccuracy);
      out.writeDouble(validationAccuracy);
      for (String l : labels) {
        out.writeInt(samples.getOrDefault(l, 0));
      }
    });
  }

  /** Body of {@link EmbeddingClassifier#load}. */
  static EmbeddingClassifier read(Path path, ImageEmbedder embedder) {
    if (embedder == null) {
      throw new IllegalArgumentException("embedder is required to load " + path);
    }
    return ChecksummedFile.read(path, KIND, FORMAT_VERSION, (header, in) -> {
      if (!header.embedderId().equals(embedder.id())) {
        throw new IncompatibleFormatException(path + ": classifier was trained on vectors of embedder '"
            + header.embedderId() + "', not '" + embedder.id() + "'");
      }
      int k = in.readInt();
      if (k < 2 || k > 1_000_000) {
        throw new StoreException(path + ": implausible label count " + k);
      }
      List<String> labels = new ArrayList<>(k);
      for (int i = 0; i < k; i++) {
        labels.add(in.readUTF());
      }
      int d = in.readInt();
      if (d != embedder.dimension()) {
        throw new IncompatibleFormatException(path + ": classifier expects " + d
            + "-dimensional vectors but embedder '" + embedder.id() + "' gives " + embedder.dimension());
      }
      if ((long) k * d > 100_000_000L) {
        throw new StoreException(path + ": implausible model size " + k + "x" + d);
      }
      float[] mean = readFloats(in, d);
      float[] scale = readFloats(in, d);
      float[] weights = readFloats(in, k * d);
      float[] bias = readFloats(in, k);
      if (header.formatVersion() == 1) {
        in.readInt(); // iterations of the former hand-written optimiser
        double loss = in.readDouble();
        return new EmbeddingClassifier(embedder, labels, mean, scale, weights, bias, Map.of(), Double.NaN,
            Double.NaN, Double.NaN, loss);
      }
      double loss = in.readDouble();
      double l2 = in.readDouble();
      double trainAcc = in.readDouble();
      double valAcc = in.readDouble();
      Map<String, Integer> samples = new LinkedHashMap<>();
      for (String l : labels) {
        samples.put(l, in.readInt());
      }
      return new EmbeddingClassifier(embedder, labels, mean, scale, weights, bias, samples, l2, trainAcc, valAcc,
          loss);
    });
  }

  private static float[] readFloats(java.io.DataInputStream in, int n) throws java.io.IOException {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = in.readFloat();
    }
    return f;
  }
}
