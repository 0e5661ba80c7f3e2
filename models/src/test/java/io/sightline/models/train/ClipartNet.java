package io.sightline.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import io.sightline.core.onnx.OnnxModelWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The image encoder: five 3x3 convolution stages (24, 48, 96, 192, 256 channels) with batch norm
 * and ReLU — the first with stride 2, the second to fourth followed by 2x2 max pooling (64 → 4
 * px) — global average pooling and a linear projection to the 384 dimensions of MiniLM's space.
 * About 0.8 M weights, 40 M multiply-adds per image.
 *
 * <p>{@link #toOnnx} folds each batch norm into its convolution and writes the network as an ONNX
 * graph (Conv, Relu, MaxPool, GlobalAveragePool, Flatten, Gemm; opset 13), input
 * {@code image [N,3,64,64]}, output {@code embedding [N,384]} (not normalised: the embedder does).
 */
final class ClipartNet {
  static final int[] CHANNELS = {24, 48, 96, 192, 256};
  static final int[] STRIDES = {2, 1, 1, 1, 1};
  static final boolean[] POOLED = {false, true, true, true, false};
  static final float BN_EPSILON = 1e-5f;

  final SequentialBlock block = new SequentialBlock();
  private final List<Conv2d> convs = new ArrayList<>();
  private final List<BatchNorm> norms = new ArrayList<>();
  private final Linear projection;
  final int dimension;

  ClipartNet(int dimension) {
    this.dimension = dimension;
    for (int i = 0; i < CHANNELS.length; i++) {
      Conv2d c = Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
          .optStride(new Shape(STRIDES[i], STRIDES[i])).setFilters(CHANNELS[i]).build();
      BatchNorm n = BatchNorm.builder().optEpsilon(BN_EPSILON).optMomentum(0.9f).build();
      convs.add(c);
      norms.add(n);
      block.add(c).add(n).add(Activation.reluBlock());
      if (POOLED[i]) {
        block.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
      }
    }
    block.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
    projection = Linear.builder().setUnits(dimension).build();
    block.add(projection);
  }

  /**
   * @return the ONNX model bytes of the trained network, batch norms folded
   */
  byte[] toOnnx() {
    OnnxModelWriter w = OnnxModelWriter.create(13);
    w.input("image", OnnxModelWriter.FLOAT, "N", 3, ClipartImages.PRESET.inputHeight(),
        ClipartImages.PRESET.inputWidth());
    String x = "image";
    for (int i = 0; i < convs.size(); i++) {
      float[] weight = values(convs.get(i).getParameters().get("weight").getArray());
      float[] bias = values(convs.get(i).getParameters().get("bias").getArray());
      long[] wShape = convs.get(i).getParameters().get("weight").getArray().getShape().getShape();
      float[] gamma = values(norms.get(i).getParameters().get("gamma").getArray());
      float[] beta = values(norms.get(i).getParameters().get("beta").getArray());
      float[] mean = values(norms.get(i).getParameters().get("runningMean").getArray());
      float[] var = values(norms.get(i).getParameters().get("runningVar").getArray());
      int out = (int) wShape[0];
      int per = weight.length / out;
      float[] fw = new float[weight.length];
      float[] fb = new float[out];
      for (int o = 0; o < out; o++) {
        double k = gamma[o] / Math.sqrt(var[o] + BN_EPSILON);
        for (int j = 0; j < per; j++) {
          fw[o * per + j] = (float) (weight[o * per + j] * k);
        }
        fb[o] = (float) ((bias[o] - mean[o]) * k + beta[o]);
      }
      w.initializer("conv" + i + ".weight", wShape, fw);
      w.initializer("conv" + i + ".bias", new long[] {out}, fb);
      w.node("Conv", new String[] {x, "conv" + i + ".weight", "conv" + i + ".bias"}, new String[] {"conv" + i},
          OnnxModelWriter.intsAttr("kernel_shape", 3, 3), OnnxModelWriter.intsAttr("pads", 1, 1, 1, 1),
          OnnxModelWriter.intsAttr("strides", STRIDES[i], STRIDES[i]));
      w.node("Relu", new String[] {"conv" + i}, new String[] {"relu" + i});
      x = "relu" + i;
      if (POOLED[i]) {
        w.node("MaxPool", new String[] {x}, new String[] {"pool" + i},
            OnnxModelWriter.intsAttr("kernel_shape", 2, 2), OnnxModelWriter.intsAttr("strides", 2, 2));
        x = "pool" + i;
      }
    }
    w.node("GlobalAveragePool", new String[] {x}, new String[] {"gap"});
    w.node("Flatten", new String[] {"gap"}, new String[] {"features"}, OnnxModelWriter.intAttr("axis", 1));
    NDArray pw = projection.getParameters().get("weight").getArray();
    w.initializer("proj.weight", pw.getShape().getShape(), values(pw));
    w.initializer("proj.bias", new long[] {dimension}, values(projection.getParameters().get("bias").getArray()));
    w.node("Gemm", new String[] {"features", "proj.weight", "proj.bias"}, new String[] {"embedding"},
        OnnxModelWriter.intAttr("transB", 1));
    w.output("embedding", OnnxModelWriter.FLOAT, "N", dimension);
    return w.toBytes();
  }

  private static float[] values(NDArray a) {
    return a.toFloatArray();
  }
}
