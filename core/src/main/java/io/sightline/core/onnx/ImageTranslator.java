package io.sightline.core.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * DJL translator: packs a batch of images with a {@link Preprocessor} into one
 * {@code [N,3,H,W]} (or {@code [N,H,W,3]}) float tensor, and copies every output to the heap.
 * Post-processing (softmax, decoding, NMS) runs in plain Java, since ONNX Runtime NDArrays
 * support few operations.
 */
final class ImageTranslator implements NoBatchifyTranslator<ImageBatch, ModelOutputs> {
  private final Preprocessor pre;

  ImageTranslator(Preprocessor pre) {
    this.pre = pre;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, ImageBatch input) {
    List<BufferedImage> images = input.images();
    int per = 3 * pre.width() * pre.height();
    float[] data = new float[images.size() * per];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(pre.pack(images.get(i)), 0, data, i * per, per);
    }
    NDArray array = ctx.getNDManager().create(data, new Shape(pre.shape(images.size())));
    return new NDList(array);
  }

  @Override
  public ModelOutputs processOutput(TranslatorContext ctx, NDList list) {
    List<OutputTensor> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      NDArray a = list.get(i);
      String name = a.getName() == null ? "output" + i : a.getName();
      out.add(new OutputTensor(name, a.getShape().getShape(), toFloats(a)));
    }
    return new ModelOutputs(List.copyOf(out));
  }

  static float[] toFloats(NDArray a) {
    if (a.getDataType() == DataType.FLOAT32) {
      return a.toFloatArray();
    }
    Number[] values = a.toArray();
    float[] f = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      f[i] = values[i].floatValue();
    }
    return f;
  }
}
