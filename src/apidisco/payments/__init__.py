"""Payment providers: Stripe and PayPal, behind one small interface.

:mod:`apidisco.payments.provider` holds the interface (:class:`PaymentProvider`)
and :func:`~apidisco.payments.provider.provider_for`, which builds the adapter
the settings describe; :mod:`~apidisco.payments.stripe` and
:mod:`~apidisco.payments.paypal` speak the providers' documented HTTP APIs with
httpx; :mod:`~apidisco.payments.events` is what a verified provider event means,
in the provider's words turned into apidisco's; :mod:`~apidisco.payments.receiver`
is the small HTTP server behind ``apidisco payments listen``.

Adapters never touch the store: the payments service (``apidisco.services.payments``
and ``apidisco.services.webhooks``) decides what an event changes. Importing
this package loads no HTTP library.
"""

from __future__ import annotations
