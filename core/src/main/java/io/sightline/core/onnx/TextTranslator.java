package io.sightline.core.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.ArrayList;
import java.util.List;

/**
 * DJL translator of {@link OnnxTextEmbedder}: feeds a tokenised batch to the model's inputs by
 * name ({@code input_ids}, {@code attention_mask}, {@code token_type_ids}, as int64
 * {@code [N, T]}) and copies every output to the heap.
 */
final class TextTranslator implements NoBatchifyTranslator<TextTranslator.Batch, ModelOutputs> {
  /** Names of the model inputs, in the model's order. */
  private final List<String> inputs;

  /**
   * A tokenised batch, every row padded to the same length {@code t}.
   *
   * @param n rows
   * @param t tokens per row
   * @param ids token ids, row-major
   * @param mask attention mask (1 token, 0 padding)
   * @param types token type ids
   */
  record Batch(int n, int t, long[] ids, long[] mask, long[] types) {}

  TextTranslator(List<String> inputs) {
    this.inputs = List.copyOf(inputs);
  }

  /**
   * @param name a model input name
   * @return whether this translator can feed it
   */
  static boolean supports(String name) {
    return name.equals("input_ids") || name.equals("attention_mask") || name.equals("token_type_ids");
  }

  @Override
  public NDList processInput(TranslatorContext ctx, Batch b) {
    NDManager m = ctx.getNDManager();
    Shape shape = new Shape(b.n(), b.t());
    NDList list = new NDList(inputs.size());
    for (String name : inputs) {
      long[] data = switch (name) {
        case "input_ids" -> b.ids();
        case "attention_mask" -> b.mask();
        case "token_type_ids" -> b.types();
        default -> throw new IllegalArgumentException("unsupported model input '" + name + "'");
      };
      NDArray a = m.create(data, shape);
      a.setName(name);
      list.add(a);
    }
    return list;
  }

  @Override
  public ModelOutputs processOutput(TranslatorContext ctx, NDList list) {
    List<OutputTensor> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      NDArray a = list.get(i);
      String name = a.getName() == null ? "output" + i : a.getName();
      out.add(new OutputTensor(name, a.getShape().getShape(), ImageTranslator.toFloats(a)));
    }
    return new ModelOutputs(List.copyOf(out));
  }
}
