from django.contrib import admin

from openprocure.buyer.invoicing import models

admin.site.register(models.SupplierIdentifier)
admin.site.register(models.ToleranceRule)
admin.site.register(models.Invoice)
admin.site.register(models.InvoiceException)
admin.site.register(models.PaymentExport)
admin.site.register(models.RejectedFile)
