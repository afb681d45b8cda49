/* A C caller of libpostq_ffi, compiled with gcc by bindings-dotnet/run-tests.sh (once
 * plainly, once with LeakSanitizer). It drives the ABI the way any foreign caller does:
 * client options JSON, command JSON, callbacks with user data, payload bytes, call
 * options, cancellation, streams, the offline functions and the draining shutdown,
 * against the reference server.
 *
 *   abi_test BASE_URL API_KEY PUBLIC_KEY_FILE PAYLOAD_FILE SIGNATURE_FILE
 *
 * The last three hold one valid vector of tests/vectors/hybrid.json. Prints one line
 * per check and exits non-zero on the first failure. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postq.h"

static int checks = 0;
static const char *last_json = NULL; /* the last callback JSON, shown on failure */

#define CHECK(cond, what)                                                      \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "FAIL %s (%s:%d)\n", what, __FILE__, __LINE__);          \
      if (last_json) fprintf(stderr, "  last: %s\n", last_json);              \
      exit(1);                                                                 \
    }                                                                          \
    checks++;                                                                  \
    printf("ok   %s\n", what);                                                 \
  } while (0)

/* One call's outcome, filled by the callback on a runtime thread. */
typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t done;
  int fired; /* how many times the callback ran: must end at exactly 1 */
  int status;
  char *json;
  size_t bytes_len;
} Waiter;

static void waiter_init(Waiter *w) {
  memset(w, 0, sizeof *w);
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->done, NULL);
  w->status = -1;
}

static void on_done(void *user_data, int32_t status, const uint8_t *json,
                    size_t json_len, const uint8_t *bytes, size_t bytes_len) {
  (void)bytes;
  Waiter *w = user_data;
  pthread_mutex_lock(&w->lock);
  w->fired++;
  w->status = status;
  free(w->json);
  w->json = calloc(json_len + 1, 1); /* the pointers die with the callback: copy */
  if (json_len)
    memcpy(w->json, json, json_len);
  w->bytes_len = bytes_len;
  last_json = w->json;
  pthread_cond_signal(&w->done);
  pthread_mutex_unlock(&w->lock);
}

static void waiter_wait(Waiter *w) {
  pthread_mutex_lock(&w->lock);
  while (w->fired == 0)
    pthread_cond_wait(&w->done, &w->lock);
  pthread_mutex_unlock(&w->lock);
}

static void waiter_free(Waiter *w) {
  if (last_json == w->json)
    last_json = NULL;
  free(w->json);
  pthread_mutex_destroy(&w->lock);
  pthread_cond_destroy(&w->done);
}

/* Run one command and wait for its callback. */
static void call(PostqClient *client, const char *command, const char *payload,
                 const char *options, Waiter *w) {
  waiter_init(w);
  uint64_t id = postq_call(
      client, (const uint8_t *)command, strlen(command),
      (const uint8_t *)payload, payload ? strlen(payload) : 0,
      (const uint8_t *)options, options ? strlen(options) : 0, on_done, w);
  CHECK(id != 0, "postq_call returns a call id");
  waiter_wait(w);
}

/* The string value of "field" in flat JSON (enough for ids in a test). */
static char *json_field(const char *json, const char *field) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", field);
  const char *start = strstr(json, pattern);
  if (!start)
    return NULL;
  start += strlen(pattern);
  const char *end = strchr(start, '"');
  return end ? strndup(start, (size_t)(end - start)) : NULL;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = calloc((size_t)size + 1, 1);
  *len = fread(data, 1, (size_t)size, f);
  fclose(f);
  return data;
}

static PostqClient *new_client(const char *options_json) {
  PostqClient *client = NULL;
  PostqBuffer error = {0};
  int32_t rc = postq_client_new((const uint8_t *)options_json,
                                strlen(options_json), &client, &error);
  if (rc != POSTQ_OK)
    fprintf(stderr, "client error: %.*s\n", (int)error.len, (char *)error.ptr);
  postq_buffer_free(&error);
  return client;
}

static void offline_checks(const char *key_file, const char *payload_file,
                           const char *sig_file) {
  size_t key_len, payload_len, sig_len;
  char *key = read_file(key_file, &key_len);
  char *payload = read_file(payload_file, &payload_len);
  char *sig = read_file(sig_file, &sig_len);
  CHECK(key && payload && sig, "the vector files are readable");

  PostqVerdict verdict = {0};
  PostqBuffer error = {0};
  int32_t rc = postq_verify_offline((uint8_t *)key, key_len, (uint8_t *)payload,
                                    payload_len, (uint8_t *)sig, sig_len,
                                    &verdict, &error);
  CHECK(rc == POSTQ_OK && verdict.ok && verdict.classical_ok && verdict.pq_ok,
        "a valid vector verifies offline");

  PostqPublicKey *parsed = NULL;
  CHECK(postq_public_key_parse((uint8_t *)key, key_len, &parsed, &error) ==
            POSTQ_OK,
        "the published key parses once");
  payload[0] ^= 1;
  rc = postq_public_key_verify(parsed, (uint8_t *)payload, payload_len,
                               (uint8_t *)sig, sig_len, &verdict, &error);
  CHECK(rc == POSTQ_OK && !verdict.ok && !verdict.classical_ok && !verdict.pq_ok,
        "a changed payload is a negative verdict, not an error");
  postq_public_key_free(parsed);

  rc = postq_verify_offline((uint8_t *)key, key_len, (uint8_t *)payload,
                            payload_len, (const uint8_t *)"not base64!", 11,
                            &verdict, &error);
  CHECK(rc == POSTQ_ERROR && error.len > 0 &&
            strstr((char *)error.ptr, "\"kind\"") != NULL,
        "a malformed signature is POSTQ_ERROR with ErrorInfo JSON");
  postq_buffer_free(&error);
  CHECK(error.ptr == NULL && error.len == 0, "postq_buffer_free empties the buffer");

  /* pqseal-v1 round trip with a fresh key; wrong aad fails to open. */
  PostqSealKey *seal_key = NULL;
  CHECK(postq_seal_key_generate(&seal_key, &error) == POSTQ_OK,
        "a seal key pair is generated");
  PostqBuffer pub = {0}, envelope = {0}, plain = {0};
  CHECK(postq_seal_key_public(seal_key, &pub) == POSTQ_OK && pub.len > 0,
        "the seal public key is exported");
  const char *secret = "sk_live_abc123";
  rc = postq_seal(pub.ptr, pub.len, (const uint8_t *)secret, strlen(secret),
                  (const uint8_t *)"ctx", 3, &envelope);
  CHECK(rc == POSTQ_OK && envelope.len > 0, "plaintext seals to the public key");
  rc = postq_seal_key_open(seal_key, envelope.ptr, envelope.len, 1,
                           (const uint8_t *)"ctx", 3, &plain);
  CHECK(rc == POSTQ_OK && plain.len == strlen(secret) &&
            memcmp(plain.ptr, secret, plain.len) == 0,
        "the envelope opens to the plaintext");
  postq_buffer_free(&plain);
  rc = postq_seal_key_open(seal_key, envelope.ptr, envelope.len, 1,
                           (const uint8_t *)"other", 5, &plain);
  CHECK(rc == POSTQ_ERROR && strstr((char *)plain.ptr, "seal_open_failed"),
        "a wrong aad is seal_open_failed");
  postq_buffer_free(&plain);
  postq_buffer_free(&envelope);
  postq_buffer_free(&pub);
  postq_seal_key_free(seal_key);
  free(key);
  free(payload);
  free(sig);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s BASE_URL API_KEY KEY_FILE PAYLOAD_FILE SIG_FILE\n",
            argv[0]);
    return 2;
  }
  const char *base_url = argv[1], *api_key = argv[2];
  char options[512];
  Waiter w;

  CHECK(postq_version() != NULL && strlen(postq_version()) > 0,
        "postq_version is a static string");

  PostqBuffer ops = {0};
  CHECK(postq_operations(&ops) == POSTQ_OK &&
            strstr((char *)ops.ptr, "\"scans.submit\"") != NULL,
        "postq_operations lists the commands");
  postq_buffer_free(&ops);

  PostqClient *bad = NULL;
  PostqBuffer error = {0};
  const char *negative = "{\"timeout\": -1}";
  CHECK(postq_client_new((const uint8_t *)negative, strlen(negative), &bad,
                         &error) == POSTQ_ERROR &&
            bad == NULL && strstr((char *)error.ptr, "\"validation\""),
        "bad client options are a validation ErrorInfo");
  postq_buffer_free(&error);

  snprintf(options, sizeof options,
           "{\"apiKey\": \"%s\", \"baseUrl\": \"%s\", \"maxRetries\": 0}", api_key,
           base_url);
  PostqClient *client = new_client(options);
  CHECK(client != NULL, "a client is created from options JSON");

  call(client, "{\"op\": \"health\", \"args\": {}}", NULL, NULL, &w);
  CHECK(w.status == POSTQ_OK && strstr(w.json, "\"status\""),
        "health completes with POSTQ_OK");
  waiter_free(&w);

  call(client, "{\"op\": \"no.such\", \"args\": {}}", NULL, NULL, &w);
  CHECK(w.status == POSTQ_ERROR && strstr(w.json, "\"validation\""),
        "an unknown op completes with a validation error");
  waiter_free(&w);

  call(client,
       "{\"op\": \"keys.create\", \"args\": {\"name\": \"c-abi-test\"}}", NULL,
       NULL, &w);
  CHECK(w.status == POSTQ_OK, "keys.create completes");
  char *key_id = json_field(w.json, "id");
  CHECK(key_id != NULL, "the created key has an id");
  waiter_free(&w);

  char command[256];
  snprintf(command, sizeof command,
           "{\"op\": \"sign\", \"args\": {\"keyId\": \"%s\"}}", key_id);
  call(client, command, "payload bytes from C", NULL, &w);
  char *signature = json_field(w.json, "signature");
  CHECK(w.status == POSTQ_OK && signature != NULL,
        "sign takes payload bytes by pointer and length");
  waiter_free(&w);

  /* the signature is ~4.4 KB of base64: build the command on the heap */
  size_t big_len = strlen(signature) + 256;
  char *big = malloc(big_len);
  snprintf(big, big_len,
           "{\"op\": \"verify\", \"args\": {\"keyId\": \"%s\", \"signature\": "
           "\"%s\"}}",
           key_id, signature);
  call(client, big, "payload bytes from C", NULL, &w);
  CHECK(w.status == POSTQ_OK && strstr(w.json, "\"ok\":true"),
        "verify on the server accepts the signature");
  waiter_free(&w);
  free(big);
  free(signature);
  free(key_id);

  /* Every error is the shared ErrorInfo: a wrong key is kind "auth". */
  snprintf(options, sizeof options,
           "{\"apiKey\": \"pq_live_wrong\", \"baseUrl\": \"%s\", \"maxRetries\": 0}",
           base_url);
  PostqClient *wrong = new_client(options);
  call(wrong, "{\"op\": \"scans.list\", \"args\": {}}", NULL, NULL, &w);
  CHECK(w.status == POSTQ_ERROR && strstr(w.json, "\"kind\":\"auth\"") &&
            strstr(w.json, "\"status\":401"),
        "a wrong API key is an auth ErrorInfo with status 401");
  waiter_free(&w);
  postq_client_free(wrong);

  /* Call options: injected 503 through per-call headers. */
  call(client, "{\"op\": \"keys.list\", \"args\": {}}", NULL,
       "{\"headers\": {\"X-PostQ-Fault\": \"status=503\"}}", &w);
  CHECK(w.status == POSTQ_ERROR && strstr(w.json, "\"kind\":\"server\""),
        "per-call options reach the server (injected 503 is kind server)");
  waiter_free(&w);

  /* Streams: keys.list_all until POSTQ_END. */
  PostqStream *stream = NULL;
  const char *list_all = "{\"op\": \"keys.list_all\", \"args\": {}}";
  CHECK(postq_stream_open(client, (const uint8_t *)list_all, strlen(list_all),
                          NULL, 0, &stream, &error) == POSTQ_OK,
        "keys.list_all opens a stream");
  int items = 0;
  for (;;) {
    waiter_init(&w);
    postq_stream_next(stream, on_done, &w);
    waiter_wait(&w);
    int status = w.status;
    waiter_free(&w);
    if (status != POSTQ_OK) {
      CHECK(status == POSTQ_END, "the stream ends with POSTQ_END");
      break;
    }
    items++;
  }
  CHECK(items >= 1, "the stream yielded the created key");
  postq_stream_free(stream);

  /* Cancellation mid-call: a 3 s server delay, cancelled at once. */
  waiter_init(&w);
  const char *slow = "{\"headers\": {\"X-PostQ-Fault\": \"delay=3000\"}}";
  const char *list = "{\"op\": \"scans.list\", \"args\": {}}";
  uint64_t id = postq_call(client, (const uint8_t *)list, strlen(list), NULL, 0,
                           (const uint8_t *)slow, strlen(slow), on_done, &w);
  CHECK(postq_cancel(id) == 1, "postq_cancel finds the running call");
  waiter_wait(&w);
  CHECK(w.status == POSTQ_CANCELLED && w.json[0] == '\0',
        "a cancelled call completes with POSTQ_CANCELLED and no output");
  CHECK(postq_cancel(id) == 0, "cancelling a finished call is a no-op");
  waiter_free(&w);

  /* Freeing the client cancels its calls; shutdown drains every callback. */
  Waiter pending[4];
  for (int i = 0; i < 4; i++) {
    waiter_init(&pending[i]);
    postq_call(client, (const uint8_t *)list, strlen(list), NULL, 0,
               (const uint8_t *)slow, strlen(slow), on_done, &pending[i]);
  }
  postq_client_free(client);
  CHECK(postq_shutdown(5000) == 0, "postq_shutdown drains every callback");
  CHECK(postq_pending_calls() == 0, "no call is pending after shutdown");
  int exactly_once = 1;
  for (int i = 0; i < 4; i++) {
    exactly_once &= pending[i].fired == 1 && pending[i].status == POSTQ_CANCELLED;
    waiter_free(&pending[i]);
  }
  CHECK(exactly_once, "each in-flight call fired exactly once, cancelled");

  offline_checks(argv[3], argv[4], argv[5]);

  printf("%d passed, 0 failed\n", checks);
  return 0;
}
