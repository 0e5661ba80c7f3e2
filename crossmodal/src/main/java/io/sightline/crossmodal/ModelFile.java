package io.sightline.crossmodal;

import ai.djl.Device;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.store.ChecksummedFile;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model / checkpoint file: a {@link ChecksummedFile} of kind {@code crossmodal-model} whose
 * header names the embedder, holding tokenizer id, architecture, vocabulary, seed library,
 * candidate captions, parameters and (for checkpoints) the training state.
 */
final class ModelFile {
  private ModelFile() {}

  /** What a file holds apart from parameters. */
  record Meta(String embedderId, String tokenizerId, ModelConfig config, boolean useSeeds, int grid,
      Vocabulary vocab, SeedLibrary seeds, List<String> captions, byte[] parameters,
      TrainingState state) {}

  record Loaded(CrossModalModel model, TrainingState state) {}

  static void write(Path file, CrossModalModel m, TrainingState state) {
    byte[] params = m.parameterBytes();
    ChecksummedFile.write(file, new ChecksummedFile.Header(CrossModalModel.KIND,
        CrossModalModel.FORMAT_VERSION, m.embedderId()), out -> {
          out.writeUTF(m.tokenizerId());
          ModelConfig c = m.config;
          out.writeInt(c.width());
          out.writeInt(c.layers());
          out.writeInt(c.heads());
          out.writeInt(c.ffnSize());
          out.writeInt(c.maxTextUnits());
          out.writeInt(c.maxObjects());
          out.writeInt(c.grid());
          out.writeInt(c.visualDim());
          out.writeInt(c.seedTextUnits());
          out.writeFloat(c.dropout());
          out.writeByte(c.pooling().ordinal()); // since format 4
          out.writeBoolean(m.useSeeds);
          out.writeInt(m.vocab.size());
          for (String t : m.vocab.tokens()) {
            out.writeUTF(t);
          }
          m.seeds.write(out);
          out.writeInt(m.captionCandidates.size());
          for (String s : m.captionCandidates) {
            out.writeUTF(s.length() > 10_000 ? s.substring(0, 10_000) : s);
          }
          writeBytes(out, params);
          out.writeBoolean(state != null);
          if (state != null) {
            out.writeInt(state.epochsDone());
            out.writeInt(state.batchesDone());
            out.writeLong(state.seed());
            out.writeDouble(state.bestValidation());
            out.writeInt(state.epochsWithoutGain());
            out.writeInt(state.history().size());
            for (EpochStats e : state.history()) {
              out.writeInt(e.epoch());
              out.writeDouble(e.loss());
              out.writeDouble(e.maskedTextLoss());
              out.writeDouble(e.maskedObjectLoss());
              out.writeDouble(e.matchingLoss());
              out.writeDouble(e.maskedTextAccuracy());
              out.writeDouble(e.matchingAccuracy());
              out.writeDouble(e.validationLoss());
              out.writeLong(e.samples());
              out.writeDouble(e.seconds());
            }
            out.writeBoolean(state.bestParameters() != null);
            if (state.bestParameters() != null) {
              writeBytes(out, state.bestParameters());
            }
            out.writeBoolean(state.optimizerState() != null); // since format version 2
            if (state.optimizerState() != null) {
              writeBytes(out, state.optimizerState());
            }
            double[] partial = state.partialSums() == null ? new double[0] : state.partialSums();
            out.writeInt(partial.length);
            for (double d : partial) {
              out.writeDouble(d);
            }
          }
        });
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (1 << 30)) {
      throw new IOException("bad block length " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  static Meta readMeta(Path file) {
    return ChecksummedFile.read(file, CrossModalModel.KIND, CrossModalModel.FORMAT_VERSION, (h, in) -> {
      if (h.formatVersion() < 3) {
        // format 3 added the contrastive projections: older weights do not fit the network
        throw new IncompatibleFormatException(file + ": model format " + h.formatVersion() + " was written by an"
            + " earlier Sightline, before contrastive training; train the model again with this version"
            + " (format " + CrossModalModel.FORMAT_VERSION + ")");
      }
      String tok = in.readUTF();
      int[] dims = new int[9];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = in.readInt();
      }
      float dropout = in.readFloat();
      // format 3 read the embeddings from the CLS output; format 4 stores the pooling; format 5 is
      // format 4 with one more pooling (MEAN_AND_INPUTS), so that an earlier reader refuses it by
      // its version rather than by a pooling byte it does not know
      EmbeddingPooling pooling = EmbeddingPooling.CLS;
      if (h.formatVersion() >= 4) {
        int p = in.readUnsignedByte();
        if (p >= EmbeddingPooling.values().length
            || h.formatVersion() < 5 && p == EmbeddingPooling.MEAN_AND_INPUTS.ordinal()) {
          throw new IOException("bad pooling " + p);
        }
        pooling = EmbeddingPooling.values()[p];
      }
      ModelConfig c = new ModelConfig(dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6], dims[7],
          dims[8], dropout, pooling);
      boolean useSeeds = in.readBoolean();
      int vn = in.readInt();
      if (vn < Vocabulary.SPECIALS || vn > 10_000_000) {
        throw new IOException("bad vocabulary size " + vn);
      }
      List<String> toks = new ArrayList<>(vn);
      for (int i = 0; i < vn; i++) {
        toks.add(in.readUTF());
      }
      SeedLibrary seeds = SeedLibrary.read(in);
      int cn = in.readInt();
      List<String> caps = new ArrayList<>();
      for (int i = 0; i < cn; i++) {
        caps.add(in.readUTF());
      }
      byte[] params = readBytes(in);
      TrainingState state = null;
      if (in.readBoolean()) {
        int ep = in.readInt();
        int bd = in.readInt();
        long seed = in.readLong();
        double best = in.readDouble();
        int bad = in.readInt();
        int hn = in.readInt();
        List<EpochStats> hist = new ArrayList<>();
        for (int i = 0; i < hn; i++) {
          hist.add(new EpochStats(in.readInt(), in.readDouble(), in.readDouble(), in.readDouble(),
              in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), in.readLong(),
              in.readDouble()));
        }
        byte[] bestParams = in.readBoolean() ? readBytes(in) : null;
        byte[] optimizer = null;
        double[] partial = null;
        if (h.formatVersion() >= 2) {
          optimizer = in.readBoolean() ? readBytes(in) : null;
          int pn = in.readInt();
          if (pn < 0 || pn > 64) {
            throw new IOException("bad partial sums length " + pn);
          }
          partial = pn == 0 ? null : new double[pn];
          for (int i = 0; i < pn; i++) {
            partial[i] = in.readDouble();
          }
        }
        state = new TrainingState(ep, bd, seed, best, bad, hist, bestParams, optimizer, partial);
      }
      return new Meta(h.embedderId(), tok, c, useSeeds, c.grid(), new Vocabulary(toks), seeds, caps,
          params, state);
    });
  }

  static Loaded read(Path file, ImageEmbedder embedder, TextTokenizer tokenizer,
      ObjectDetector detector, ImageLoader loader, Device device) {
    Meta meta = readMeta(file);
    if (!meta.embedderId().equals(embedder.id())) {
      throw new IncompatibleFormatException(file + ": model was trained on embedder '"
          + meta.embedderId() + "', not '" + embedder.id() + "'");
    }
    if (!meta.tokenizerId().equals(tokenizer.id())) {
      throw new IncompatibleFormatException(file + ": model was trained with tokenizer '"
          + meta.tokenizerId() + "', not '" + tokenizer.id() + "'");
    }
    if (meta.config().visualDim() != embedder.dimension()) {
      throw new IncompatibleFormatException(file + ": model expects " + meta.config().visualDim()
          + "-d visual features, embedder gives " + embedder.dimension());
    }
    FeatureExtractor fx = new FeatureExtractor(embedder, detector, loader, meta.config().grid(),
        meta.config().maxObjects(), 0.3f);
    CrossModalModel m = new CrossModalModel(meta.config(), meta.vocab(), tokenizer, meta.seeds(),
        meta.useSeeds(), fx, meta.captions(), device);
    try {
      m.loadParameterBytes(meta.parameters());
    } catch (RuntimeException e) {
      m.close();
      throw new IncompatibleFormatException(file + ": parameters do not fit the stored architecture: "
          + e.getMessage(), e);
    }
    return new Loaded(m, meta.state());
  }
}
