/* gen_weights.h — a generative model's parameters as a text file, version 2
 * of the weights format (docs/weights-format.md): a header naming the model
 * (gan, vae or autoencoder), its latent dimension and prior, then one block
 * per network in the order of the model's slab — a GAN's generator and
 * discriminator, an encoder and a decoder otherwise — each with its widths,
 * activations and W<l> / b<l> matrices, a VAE encoder's last layer written
 * as its two heads (Wmean bmean, Wlogvar blogvar).  Numbers are printed
 * with %.17g, so save then load gives every parameter back bit for bit.
 *
 * Saving writes through an AtomicFile: the file appears whole or not at all,
 * and an existing one is never left half-replaced.
 *
 * Loading fills a model already shaped as the scene builds it (gan_alloc,
 * vae_alloc): the file must describe exactly that model — kind, latent
 * dimension, prior, and every network's widths and activations — and its
 * numbers replace the model's only once the whole file has been read, so a
 * failure leaves the model as it was.  Every failure is LW_EINPUT with one
 * line "path:line: problem" naming the network and the matrix at fault
 * ("path: reason" when the file cannot be opened). */
/* A path ending in .npz or .safetensors is a tensor file instead
 * (weights_io.h): the same networks, checked the same way, the kind, latent
 * and prior being the scene's. */
#ifndef GEN_WEIGHTS_H
#define GEN_WEIGHTS_H

#include "gan.h"
#include "vae.h"

/* A GAN's generator and discriminator.  LW_ERUNTIME when the file cannot be
 * written ("path: reason"). */
int gen_weights_save_gan(const Gan *m, const char *path, LwError *err);
/* A VAE's or autoencoder's encoder and decoder; prior is the scene's (the
 * Vae does not keep it: it only samples from it). */
int gen_weights_save_vae(const Vae *m, Prior prior, const char *path, LwError *err);

/* Reads path into m (allocated by gan_alloc in the scene's shape). */
int gen_weights_load_gan(Gan *m, const char *path, LwError *err);
/* Reads path into m (allocated by vae_alloc in the scene's shape); the
 * file's prior must be `prior`. */
int gen_weights_load_vae(Vae *m, Prior prior, const char *path, LwError *err);

#endif
