using System;
using System.Collections.Generic;

namespace PostQ
{
    /// <summary>
    /// Every postq failure: the API's error envelope (400 and other statuses without a
    /// class of their own), an unreadable response, or a cryptographic failure. Messages
    /// never contain secrets.
    /// </summary>
    public class PostQException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public PostQException(string message, int? status = null, string code = "error", string requestId = null, Exception inner = null)
            : base(message, inner)
        {
            Status = status;
            Code = code ?? "error";
            RequestId = requestId;
        }

        /// <summary>The HTTP status, when the API answered.</summary>
        public int? Status { get; }

        /// <summary>The stable machine-readable code (<c>unauthorized</c>, <c>rate_limited</c>, <c>invalid_signature</c>, …).</summary>
        public string Code { get; }

        /// <summary><c>X-Request-Id</c> of the failed request, for support.</summary>
        public string RequestId { get; }
    }

    /// <summary>401: a missing, wrong or revoked API key.</summary>
    public class PostQAuthException : PostQException
    {
        /// <summary>Creates the exception.</summary>
        public PostQAuthException(string message, int? status = null, string code = "unauthorized", string requestId = null)
            : base(message, status, code, requestId) { }
    }

    /// <summary>403: the key lacks the scope (<c>insufficient_scope</c>).</summary>
    public class PostQPermissionException : PostQException
    {
        /// <summary>Creates the exception.</summary>
        public PostQPermissionException(string message, int? status = null, string code = "insufficient_scope", string requestId = null)
            : base(message, status, code, requestId) { }
    }

    /// <summary>404: no such resource in your organisation.</summary>
    public class PostQNotFoundException : PostQException
    {
        /// <summary>Creates the exception.</summary>
        public PostQNotFoundException(string message, int? status = null, string code = "not_found", string requestId = null)
            : base(message, status, code, requestId) { }
    }

    /// <summary>409: a conflicting write (an idempotency key reused with another body, a concurrent rotation, …).</summary>
    public class PostQConflictException : PostQException
    {
        /// <summary>Creates the exception.</summary>
        public PostQConflictException(string message, int? status = null, string code = "conflict", string requestId = null)
            : base(message, status, code, requestId) { }
    }

    /// <summary>429: rate limited; <see cref="RetryAfter"/> says how long to wait.</summary>
    public class PostQRateLimitException : PostQException
    {
        /// <summary>Creates the exception.</summary>
        public PostQRateLimitException(string message, int? status = null, string code = "rate_limited", string requestId = null, TimeSpan? retryAfter = null)
            : base(message, status, code, requestId)
        {
            RetryAfter = retryAfter;
        }

        /// <summary>The server's <c>Retry-After</c>.</summary>
        public TimeSpan? RetryAfter { get; }
    }

    /// <summary>5xx: the server failed (after the client's retries).</summary>
    public class PostQServerException : PostQException
    {
        /// <summary>Creates the exception.</summary>
        public PostQServerException(string message, int? status = null, string code = "server_error", string requestId = null)
            : base(message, status, code, requestId) { }
    }

    /// <summary>The API could not be reached or the connection broke (after retries).</summary>
    public class PostQConnectionException : PostQException
    {
        /// <summary>Creates the exception.</summary>
        public PostQConnectionException(string message, int? status = null, string code = "connection_error", string requestId = null)
            : base(message, status, code, requestId) { }
    }

    /// <summary>The call or an attempt ran out of time; a kind of <see cref="PostQConnectionException"/>.</summary>
    public class PostQTimeoutException : PostQConnectionException
    {
        /// <summary>Creates the exception.</summary>
        public PostQTimeoutException(string message, int? status = null, string code = "timeout", string requestId = null)
            : base(message, status, code, requestId) { }
    }

    /// <summary>Bad input caught before anything was sent (an argument, an option, a configuration).</summary>
    public class PostQValidationException : PostQException
    {
        /// <summary>Creates the exception.</summary>
        public PostQValidationException(string message, int? status = null, string code = "invalid_input", string requestId = null)
            : base(message, status, code, requestId) { }
    }

    /// <summary>The one mapping from the common layer's error kinds to exception classes.</summary>
    internal static class Errors
    {
        private static readonly Dictionary<ErrorKind, Func<ErrorInfo, PostQException>> ByKind =
            new Dictionary<ErrorKind, Func<ErrorInfo, PostQException>>
            {
                { ErrorKind.Validation, e => new PostQValidationException(e.Message, e.Status, e.Code, e.RequestId) },
                { ErrorKind.Auth, e => new PostQAuthException(e.Message, e.Status, e.Code, e.RequestId) },
                { ErrorKind.Permission, e => new PostQPermissionException(e.Message, e.Status, e.Code, e.RequestId) },
                { ErrorKind.NotFound, e => new PostQNotFoundException(e.Message, e.Status, e.Code, e.RequestId) },
                { ErrorKind.Conflict, e => new PostQConflictException(e.Message, e.Status, e.Code, e.RequestId) },
                { ErrorKind.RateLimit, e => new PostQRateLimitException(e.Message, e.Status, e.Code, e.RequestId,
                    e.RetryAfter.HasValue ? TimeSpan.FromSeconds(e.RetryAfter.Value) : (TimeSpan?)null) },
                { ErrorKind.Server, e => new PostQServerException(e.Message, e.Status, e.Code, e.RequestId) },
                { ErrorKind.Connection, e => new PostQConnectionException(e.Message, e.Status, e.Code, e.RequestId) },
                { ErrorKind.Timeout, e => new PostQTimeoutException(e.Message, e.Status, e.Code, e.RequestId) },
                { ErrorKind.Api, e => new PostQException(e.Message, e.Status, e.Code, e.RequestId) },
                { ErrorKind.InvalidResponse, e => new PostQException(e.Message, e.Status, e.Code, e.RequestId) },
                { ErrorKind.Crypto, e => new PostQException(e.Message, e.Status, e.Code, e.RequestId) },
            };

        /// <summary>The kinds this table maps (a test checks it covers <see cref="ErrorKind"/>).</summary>
        internal static IEnumerable<ErrorKind> Kinds => ByKind.Keys;

        /// <summary>The exception for the library's <c>ErrorInfo</c> JSON.</summary>
        internal static PostQException FromInfo(string json)
        {
            var info = Json.Deserialize<ErrorInfo>(json);
            Func<ErrorInfo, PostQException> make;
            return ByKind.TryGetValue(info.Kind, out make) ? make(info) : new PostQException(info.Message, info.Status, info.Code, info.RequestId);
        }

        /// <summary>The exception for a non-OK native status and its output.</summary>
        internal static Exception FromNative(int status, string json)
        {
            if (status == NativeMethods.Error && !string.IsNullOrEmpty(json)) return FromInfo(json);
            if (status == NativeMethods.Cancelled) return new OperationCanceledException();
            return new PostQException("postq-ffi returned status " + status, null, "internal_error");
        }
    }
}
