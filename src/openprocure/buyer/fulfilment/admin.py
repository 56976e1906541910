from django.contrib import admin

from openprocure.buyer.fulfilment import models

admin.site.register(models.InboundDocument)
admin.site.register(models.Confirmation)
admin.site.register(models.ShipNotice)
admin.site.register(models.GoodsReceipt)
admin.site.register(models.SupplierIssue)
admin.site.register(models.StatusUpdate)
