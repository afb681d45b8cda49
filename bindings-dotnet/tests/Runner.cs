using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;

namespace PostQ.Tests
{
    /// <summary>Marks a test: a public static method returning Task.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class TestAttribute : Attribute { }

    /// <summary>A failed expectation.</summary>
    internal sealed class AssertionException : Exception
    {
        public AssertionException(string message) : base(message) { }
    }

    internal static class Assert
    {
        internal static void True(bool condition, string what)
        {
            if (!condition) throw new AssertionException(what);
        }

        internal static void Equal<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new AssertionException(what + ": expected <" + expected + ">, got <" + actual + ">");
        }

        /// <summary>The awaited call throws exactly <typeparamref name="TException"/>.</summary>
        internal static async Task<TException> Throws<TException>(Func<Task> call, string what) where TException : Exception
        {
            try
            {
                await call().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                if (e.GetType() == typeof(TException)) return (TException)e;
                throw new AssertionException(what + ": expected " + typeof(TException).Name + ", got " + e.GetType().Name + ": " + e.Message);
            }
            throw new AssertionException(what + ": expected " + typeof(TException).Name + ", nothing was thrown");
        }

        /// <summary>The call throws <typeparamref name="TException"/> or a subclass.</summary>
        internal static TException Catches<TException>(Action call, string what) where TException : Exception
        {
            try
            {
                call();
            }
            catch (TException e)
            {
                return e;
            }
            throw new AssertionException(what + ": expected " + typeof(TException).Name + ", nothing was thrown");
        }

        internal static TException Throws<TException>(Action call, string what) where TException : Exception =>
            Throws<TException>(() => { call(); return Task.FromResult(0); }, what).GetAwaiter().GetResult();
    }

    /// <summary>
    /// The test runner (no NUnit: CI reads the closing <c>N passed, N failed</c> line). Runs
    /// every [Test] in declaration order, then the command coverage check. Exit 1 on any
    /// failure. <c>mono PostQ.Tests.exe [name-filter]</c>.
    /// </summary>
    internal static class Runner
    {
        private static int Main(string[] args)
        {
            var filter = args.Length > 0 ? args[0] : null;
            var sent = new HashSet<string>();
            PostQClient.CommandSent += op => { lock (sent) sent.Add(op); };

            var tests = typeof(Runner).Assembly.GetTypes()
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
                .Where(m => m.GetCustomAttribute<TestAttribute>() != null)
                .OrderBy(m => m.DeclaringType.Name, StringComparer.Ordinal).ThenBy(m => m.MetadataToken)
                .Where(m => filter == null || (m.DeclaringType.Name + "." + m.Name).Contains(filter))
                .ToList();
            int passed = 0, failed = 0;
            foreach (var test in tests)
            {
                var name = test.DeclaringType.Name + "." + test.Name;
                var watch = Stopwatch.StartNew();
                try
                {
                    ((Task)test.Invoke(null, null)).GetAwaiter().GetResult();
                    passed++;
                    Console.WriteLine("ok   " + name + " (" + watch.ElapsedMilliseconds + " ms)");
                }
                catch (Exception e)
                {
                    failed++;
                    var inner = e is TargetInvocationException && e.InnerException != null ? e.InnerException : e;
                    Console.WriteLine("FAIL " + name + ": " + inner.GetType().Name + ": " + inner.Message);
                    Console.WriteLine(inner.StackTrace);
                }
            }

            if (filter == null)
            {
                // Every command of the common layer was sent by some test, and the generated
                // op constants are exactly the library's commands.
                var operations = PostQOffline.Operations();
                var missing = operations.Where(op => !sent.Contains(op)).ToList();
                var drift = operations.Except(Ops.All).Concat(Ops.All.Except(operations)).ToList();
                if (missing.Count == 0 && drift.Count == 0)
                {
                    passed++;
                    Console.WriteLine("ok   coverage: the suite sent all " + operations.Length + " commands");
                }
                else
                {
                    failed++;
                    Console.WriteLine("FAIL coverage: never sent [" + string.Join(", ", missing) + "]; generated Ops differ by [" + string.Join(", ", drift) + "]");
                }
            }

            // Drain the native runtime before the process tears down.
            PostQRuntime.Shutdown(TimeSpan.FromSeconds(5));
            Console.WriteLine(passed + " passed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        }
    }

    /// <summary>The reference server the run script started, and the shared vectors.</summary>
    internal static class Env
    {
        internal static string BaseUrl => Required("POSTQ_TEST_BASE_URL");
        internal static string AdminKey => Required("POSTQ_TEST_ADMIN_KEY");
        internal static string Vectors => Path.Combine(Required("POSTQ_TEST_ROOT"), "tests", "vectors");

        private static PostQClient admin;

        /// <summary>One shared client with the admin key.</summary>
        internal static PostQClient Client => admin ?? (admin = NewClient(AdminKey));

        internal static PostQClient NewClient(string apiKey, int maxRetries = 0) =>
            new PostQClient(new PostQClientOptions { ApiKey = apiKey, BaseUrl = BaseUrl, MaxRetries = maxRetries });

        /// <summary>A fresh API key with exactly these scopes, minted with the server binary.</summary>
        internal static string MintKey(string scopes)
        {
            var info = new ProcessStartInfo(Required("POSTQ_TEST_SERVER_BIN"),
                "keys create --data-dir \"" + Required("POSTQ_TEST_DATA_DIR") + "\" --org default --scopes " + scopes)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using (var process = Process.Start(info))
            {
                process.StandardError.ReadToEndAsync();
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0) throw new InvalidOperationException("postq-server keys create failed");
                return output.Trim().Split('\n').Last().Trim();
            }
        }

        /// <summary>Wait until every native callback has returned (a Task may complete just before its callback does).</summary>
        internal static async Task<long> NoPendingCalls()
        {
            for (var i = 0; i < 100 && PostQRuntime.PendingCalls > 0; i++) await Task.Delay(20).ConfigureAwait(false);
            return PostQRuntime.PendingCalls;
        }

        internal static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N").Substring(0, 12);

        private static string Required(string name)
        {
            var value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(value)) throw new InvalidOperationException(name + " is not set (run bindings-dotnet/run-tests.sh)");
            return value;
        }
    }
}
